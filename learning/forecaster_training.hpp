// `troupe train-forecaster`: VideoJam's short-term load forecaster (§3.5.1), a dense
// layer of 512 units from h = 50 slots of incoming load to the next k = 10 (or an
// LSTM(64), OctoCross's Distream baseline), trained with Adam on recorded traces. Every trace is split by time: training, then a
// validation part that picks the epoch kept (the thesis's 100 epochs overfit a few
// minutes of traces), then a held-out part that only scores the result against the
// naive forecaster. Plain C++: callers need no libtorch.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "learning/training_progress.hpp"
#include "learning/training_split.hpp"
#include "actors/videojam/core/forecaster.hpp"

namespace troupe::learning {

// The thesis's dense network, or the LSTM of OctoCross's Distream baseline (§5.1).
enum class forecaster_network { dense, lstm };

struct forecaster_options {
  std::vector<std::string> traces;  // load traces, "slot,items" (see videojam_forecaster.hpp)
  forecaster_network network = forecaster_network::dense;
  size_t h = 50, k = 10;
  size_t units = 0;                 // 0: the network's own, 512 dense, 64 LSTM
  int epochs = 100;                 // the thesis's; the most trained
  int batch = 64;
  double learning_rate = 1e-3;
  time_split split;                 // a tenth picks the epoch, the last fifth only scores
  uint64_t seed = 1;
  std::string output;               // weight file written at the end
};

struct forecaster_result {
  size_t train_samples = 0, validation_samples = 0, held_out_samples = 0;
  int kept_epoch = 0;
  double train_mse = 0, validation_mse = 0;          // items², per slot, at the kept epoch
  double held_out_mse = 0, naive_held_out_mse = 0;
  double seconds = 0;
  forecaster_network network = forecaster_network::dense;
  videojam::dense_weights weights;  // the dense network's
  videojam::lstm_weights lstm;      // the LSTM's
};

forecaster_result train_forecaster(const forecaster_options& options,
                                   const progress_callback& progress = {});

}  // namespace troupe::learning
