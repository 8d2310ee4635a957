#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// Reads a video (crop, offset, loop) at a frame rate and sends each frame as a
// JPEG Region to a detector, asking it to deliver detections to a sink.
kind_spec camera_kind();
}  // namespace troupe
