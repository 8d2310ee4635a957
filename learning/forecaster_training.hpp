// `troupe train-forecaster`: VideoJam's short-term load forecaster (§3.5.1), a dense
// layer of 512 units from h = 50 slots of incoming load to the next k = 10, trained
// with Adam on recorded traces and scored against the naive forecaster on the last
// part of every trace, which it never trains on. Plain C++: callers need no libtorch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "policies/videojam_forecaster.hpp"

namespace troupe::learning {

struct forecaster_options {
  std::vector<std::string> traces;  // load traces, "slot,items" (see videojam_forecaster.hpp)
  size_t h = 50, k = 10, units = 512;
  int epochs = 100;                 // the thesis's
  int batch = 64;
  double learning_rate = 1e-3;
  double validation = 0.2;          // the last fifth of every trace is held out
  uint64_t seed = 1;
  std::string output;               // weight file written at the end
};

struct forecaster_result {
  size_t train_samples = 0, validation_samples = 0;
  double train_mse = 0, validation_mse = 0, naive_validation_mse = 0;  // items², per slot
  double seconds = 0;
  videojam::dense_weights weights;
};

forecaster_result train_forecaster(const forecaster_options& options,
                                   const std::function<void(const std::string&)>& progress = {});

}  // namespace troupe::learning
