// Penance's server (penance.txt §2.1.1, §3.3): segments each uploaded segment with the
// model its configuration names, and sends the performance embedding p back.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec segmenter_kind();

}  // namespace troupe
