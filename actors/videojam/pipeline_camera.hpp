#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// A camera at the head of VideoJam's pipelines: sends each frame as a JPEG WorkItem
// to the first replica of its first function that is up (fixed cameras: background
// subtraction; mobile cameras: a whole-frame detector), and counts what it sent.
kind_spec pipeline_camera_kind();
}  // namespace troupe
