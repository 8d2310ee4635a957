// Penance's IoT camera (penance.txt §2.1.2, §3): a street drive in 1 s segments, each
// configured, encoded as H.264 and uploaded in chunks cut at the segment's deadline.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec segment_camera_kind();

}  // namespace troupe
