#pragma once
#include <memory>

#include "actors/runtime/kind_registry.hpp"
#include "vision/detector.hpp"
namespace troupe {
// A model replica: decodes each Region, runs a detector, sends Detections to the
// region's reply_to; drops (and counts) regions older than max_age_ms.
kind_spec detector_replica_kind();
// The detector a replica with these parameters runs, for offline tools.
std::unique_ptr<vision::detector> replica_detector(const params& p);
}  // namespace troupe
