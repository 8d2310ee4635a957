// Whether a result a sink receives can be real: forged or truncated envelopes that
// still parse once put a camera with no name and a latency of 1.8e12 ms in a report.
#pragma once

#include <cstdint>
#include <optional>

#include "actors/common/core/plausible.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

// The most items one fused output can close: a frame's regions (ReMO cuts a handful).
constexpr uint32_t max_items_per_output = 1024;

// A camera name, finite boxes, at most max_items_per_output items, and a capture time within the window (window_since the
// receiver's start); nullopt when so.
std::optional<refusal> check_detections(const msg::Detections& d, const time_window& window);

}  // namespace troupe
