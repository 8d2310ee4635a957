#include "actors/penance/core/recorded_conditions.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

namespace troupe::penance {

std::vector<condition_series> conditions_of(const std::vector<sent_segment>& sent) {
  std::map<std::string, std::map<uint64_t, const sent_segment*>> by_camera;
  for (auto& s : sent) {
    auto where = "camera '" + s.camera + "', segment " + std::to_string(s.segment);
    if (!(s.target > 0 && s.target <= 1))
      throw std::invalid_argument(where + ": accuracy target " + std::to_string(s.target) + " outside (0, 1]");
    if (!(s.bandwidth_mbps > 0) || !std::isfinite(s.bandwidth_mbps))
      throw std::invalid_argument(where + ": bandwidth " + std::to_string(s.bandwidth_mbps) +
                                  " MB/s is not positive and finite");
    by_camera[s.camera].emplace(s.segment, &s);  // the first report of a segment stays
  }
  std::vector<condition_series> out;
  for (auto& [camera, segments] : by_camera) {
    condition_series c{camera, {}, {}};
    for (auto& [index, s] : segments) {
      c.targets.push_back(s->target);
      c.bandwidth_mbps.push_back(s->bandwidth_mbps);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace troupe::penance
