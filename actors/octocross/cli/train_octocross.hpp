// `troupe train-octocross`: OctoCross's model (learning/octocross_model) trained on the
// traces its scheduler records (`trace`), through the learning plugin.
#pragma once

#include "learning/octocross_model.hpp"

namespace troupe {

// Trains, writes options.output and prints what it measured; returns the exit status.
int train_octocross_command(const learning::octocross_options& options);

}  // namespace troupe
