// VideoJam (papers/videojam-roomie-thesis.txt ch. 3) in Troupe: pipeline cameras, function
// replicas behind their load balancers (VideoJam, WRR, Distream, none), the pipeline
// sink, and the command bench videojam.
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_videojam(system_registry& r);

}  // namespace troupe
