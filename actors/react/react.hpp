// REACT (papers/react.txt) in Troupe: the react camera (edge detector every k frames,
// cloud model every m, fusion, fast tracking) with its baselines as modes, and the
// command bench react.
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_react(system_registry& r);

}  // namespace troupe
