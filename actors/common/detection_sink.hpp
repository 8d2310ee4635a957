#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// Receives Detections, prints per-interval frames, detections and end-to-end latency
// with the replicas' drop counts, and a summary when it stops.
kind_spec detection_sink_kind();
}  // namespace troupe
