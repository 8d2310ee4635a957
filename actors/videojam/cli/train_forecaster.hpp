// `troupe train-forecaster`: VideoJam's load forecaster (§3.5.1) trained on the load
// traces balancers record (`load_trace`), through the learning plugin (libtorch loads
// only for this command).
#pragma once

#include "learning/forecaster_training.hpp"

namespace troupe {

// Trains, writes options.output and prints what it measured; returns the exit status.
// Throws std::runtime_error when the output cannot be written (before training).
int train_forecaster_command(const learning::forecaster_options& options);

}  // namespace troupe
