// Penance's judge (penance.txt §4.1.2): each segment scored against the camera's truth.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec segment_sink_kind();

}  // namespace troupe
