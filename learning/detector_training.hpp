// `troupe train-detector`: trains the project's own detector networks (n, s, m) on
// synthetic scenes with exact ground truth, saves each as TorchScript, and scores it on
// scenes it never saw. Several sizes train side by side on one stream of scenes, which
// is rendered once (in parallel) for all. Plain C++: callers need no libtorch headers.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "learning/training_progress.hpp"

namespace troupe::learning {

struct training_options {
  std::vector<std::string> sizes = {"s"};  // n, s and/or m, each its own network
  int input = 320;               // square network input, pixels
  int steps = 400;               // optimiser steps
  int batch = 16;                // frames per step
  double learning_rate = 4e-3;   // Adam
  uint64_t seed = 1;             // network init and training scenes
  int scenes = 8;                // synthetic scenes sampled in turn
  int eval_frames = 100;         // held-out frames scored at the end (0: none)
  int threads = 0;               // libtorch and scene rendering; 0: every core
  // Classes the scenes hold, in equal shares, and the network names (vision/object_class.hpp).
  std::vector<std::string> classes = {"person"};
  std::string output;            // TorchScript file written at the end; {size} stands for the size
};

// The file a size is written to: `output` with {size} replaced. Several sizes need {size}.
// Inline: the CLI checks outputs before it loads the learning plugin.
inline std::string output_for(const training_options& o, const std::string& size) {
  auto out = o.output;
  auto at = out.find("{size}");
  if (at != std::string::npos)
    return out.replace(at, 6, size);
  if (o.sizes.size() > 1)
    throw std::runtime_error("training " + std::to_string(o.sizes.size()) +
                             " sizes: the output needs {size}, e.g. build/models/detector-{size}.pt");
  return out;
}

// Where a training step's time goes, mean ms per step: what `train-detector` prints
// so that a slow training says why.
struct step_profile {
  double scenes_ms = 0;     // rendering synthetic frames, letterboxing, targets
  double forward_ms = 0;    // the network on the batch
  double loss_ms = 0;
  double backward_ms = 0;
  double optimiser_ms = 0;
};

struct training_result {
  std::string size, output;
  double first_loss = 0, final_loss = 0;  // mean over the first and last tenth of steps
  double map50 = 0, f1 = 0;               // held-out synthetic scenes, IoU 0.5
  int64_t parameters = 0;
  double seconds = 0;
  step_profile per_step;
};

// One result per size, in the order of `options.sizes`.
std::vector<training_result> train_detectors(const training_options& options,
                                             const progress_callback& progress = {});

}  // namespace troupe::learning
