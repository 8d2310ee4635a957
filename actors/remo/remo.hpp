// ReMO (papers/remo.txt) in Troupe: region cameras, the Region Scheduler and its
// baselines (Bandwidth-Prior, Model-Prior, Offload-Frame, ELF, EHCI), and the commands
// bench remo, fit-trigger and fit-regions.
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_remo(system_registry& r);

}  // namespace troupe
