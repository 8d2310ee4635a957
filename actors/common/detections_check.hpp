// Whether a result a sink receives can be real: forged or truncated envelopes that
// still parse once put a camera with no name and a latency of 1.8e12 ms in a report.
#pragma once

#include <cstdint>
#include <optional>

#include "actors/runtime/bus/refusal.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

struct detections_bounds {
  int64_t oldest_ns;  // no capture before this (the sink's start, less an hour)
  int64_t latest_ns;  // nor after this (now, plus clock skew between hosts)
};

// A camera name, finite boxes, and a capture time within the bounds; nullopt when so.
std::optional<refusal> check_detections(const msg::Detections& d, const detections_bounds& bounds);

// The bounds a sink started at `started_ns` applies at `now_ns`.
detections_bounds sink_bounds(int64_t started_ns, int64_t now_ns);

}  // namespace troupe
