#pragma once
#include "actors/kind_registry.hpp"
namespace troupe {
// A model replica: decodes each Region, runs a detector, sends Detections to the
// region's reply_to; drops (and counts) regions older than max_age_ms.
kind_spec detector_replica_kind();
}  // namespace troupe
