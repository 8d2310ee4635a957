// OctoCross (papers/octocross.txt) in Troupe: its scheduler over the shared pipeline
// kinds (videojam-camera with crowds, videojam-function with `balancer: plan`,
// videojam-sink with an SLO).
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_octocross(system_registry& r);

}  // namespace troupe
