#include "actors/common/detections_check.hpp"

#include <cmath>

namespace troupe {

namespace {

constexpr int64_t hour_ns = 3'600'000'000'000;
constexpr int64_t skew_ns = 1'000'000'000;  // hosts' clocks agree to within this (NTP)

bool finite(const msg::Box& b) {
  return std::isfinite(b.x()) && std::isfinite(b.y()) && std::isfinite(b.width()) && std::isfinite(b.height()) &&
         std::isfinite(b.score());
}

}  // namespace

std::optional<refusal> check_detections(const msg::Detections& d, const detections_bounds& bounds) {
  if (d.camera().empty())
    return refusal::missing_field;
  if (d.capture_time_unix_ns() < bounds.oldest_ns || d.capture_time_unix_ns() > bounds.latest_ns)
    return refusal::out_of_range;
  for (auto& b : d.boxes())
    if (!finite(b))
      return refusal::out_of_range;
  return std::nullopt;
}

detections_bounds sink_bounds(int64_t started_ns, int64_t now_ns) {
  return {started_ns - hour_ns, now_ns + skew_ns};
}

}  // namespace troupe
