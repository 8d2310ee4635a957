// The kinds every system shares: camera, detector (replica), sink; and the command
// that makes the project's trained detectors, for topologies that name them.
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_common(system_registry& r);

}  // namespace troupe
