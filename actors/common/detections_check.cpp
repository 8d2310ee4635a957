#include "actors/common/detections_check.hpp"

#include <cmath>

namespace troupe {

namespace {

bool finite(const msg::Box& b) {
  return std::isfinite(b.x()) && std::isfinite(b.y()) && std::isfinite(b.width()) && std::isfinite(b.height()) &&
         std::isfinite(b.score());
}

}  // namespace

std::optional<refusal> check_detections(const msg::Detections& d, const time_window& window) {
  if (d.camera().empty())
    return refusal::missing_field;
  if (!window.holds(d.capture_time_unix_ns()))
    return refusal::out_of_range;
  if (d.items() > max_items_per_output)
    return refusal::out_of_range;
  for (auto& b : d.boxes())
    if (!finite(b))
      return refusal::out_of_range;
  return std::nullopt;
}

}  // namespace troupe
