// Penance's networks behind the plain interfaces its kinds use
// (actors/penance/core/segment_models.hpp): TorchScript files opened for inference.
#pragma once

#include "actors/penance/core/segment_models.hpp"

namespace troupe::learning {

// What the learning plugin registers with penance::register_model_loaders.
penance::model_loaders penance_model_loaders();

}  // namespace troupe::learning
