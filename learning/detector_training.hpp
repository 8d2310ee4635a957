// `troupe train-detector`: trains the project's own detector network (n, s or m) on
// synthetic scenes with exact ground truth, saves it as TorchScript, and scores it on
// scenes it never saw. Plain C++: callers need no libtorch headers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace troupe::learning {

struct training_options {
  std::string size = "s";        // n, s or m
  int input = 320;               // square network input, pixels
  int steps = 400;               // optimiser steps
  int batch = 16;                // frames per step
  double learning_rate = 4e-3;   // Adam
  uint64_t seed = 1;             // network init and training scenes
  int scenes = 8;                // synthetic scenes sampled in turn
  int eval_frames = 100;         // held-out frames scored at the end (0: none)
  int progress_every = 100;      // steps between progress lines (0: none)
  std::string output;            // TorchScript file written at the end
};

struct training_result {
  double first_loss = 0, final_loss = 0;  // mean over the first and last tenth of steps
  double map50 = 0, f1 = 0;               // held-out synthetic scenes, IoU 0.5
  int64_t parameters = 0;
  double seconds = 0;
};

training_result train_detector(const training_options& options,
                               const std::function<void(const std::string&)>& progress = {});

}  // namespace troupe::learning
