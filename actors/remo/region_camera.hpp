#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// A ReMO camera (remo.txt, Fig. 4): splits its frames into fixed regions, detects the
// triggered ones where the Region Scheduler's plan says, tracks the rest, fuses
// everything by ABN and sends each frame's boxes to the sink. Mode ehci runs the
// EHCI-style baseline instead.
kind_spec region_camera_kind();
}  // namespace troupe
