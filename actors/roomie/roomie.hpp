// ROOMIE (thesis chapter 4, papers/videojam-roomie-thesis.txt) in Troupe: model
// replicas placed on shared GPUs by kernel-level occupancy and an estimate of how much
// co-located models slow each other.
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_roomie(system_registry& r);

}  // namespace troupe
