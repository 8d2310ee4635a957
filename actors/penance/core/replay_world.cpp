#include "actors/penance/core/replay_world.hpp"

#include <stdexcept>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/baselines.hpp"
#include "actors/penance/core/cost.hpp"

namespace troupe::penance {

replay_world::replay_world(const config_space& space, const std::vector<std::string>& tables, const world_settings& s)
    : space_(space), s_(s), frames_(frames_per_segment(s.fps, s.segment_s)) {
  if (tables.empty())
    throw std::invalid_argument("a replay needs at least one drive's table");
  for (auto& path : tables) {
    world_drive d{path, read_table(path), {}};
    if (!drives_.empty() && d.table.macs != drives_.front().table.macs)
      throw std::invalid_argument(path + " was built with other models than " + drives_.front().path);
    for (size_t k = 0; k < d.table.segments.size(); ++k)
      d.truth.push_back({std::vector<double>(d.table.segments[k].bytes.begin(), d.table.segments[k].bytes.end()),
                         true_accuracies(space_, d.table, k)});
    drives_.push_back(std::move(d));
  }
  auto& t = drives_.front().table;
  std::vector<std::vector<double>> macs(static_cast<size_t>(space_.models()));
  for (size_t v = 0; v < macs.size(); ++v)
    for (size_t k = 0; k < space_.scales(); ++k)
      macs[v].push_back(t.macs.at(v * space_.scales() + k));
  cost_ = cost_table(space_, macs).per_config();
  for (size_t setting = 0; setting < space_.settings(); ++setting) {
    auto [w, h] = scaled_size(s.width, s.height, space_.setting_at(setting).scale);
    timing_.encode_s.push_back(frames_ * (w * h / 1e6) * s.encode_ms_per_mp / 1000);
  }
  for (size_t c = 0; c < space_.configs(); ++c) {
    auto k = space_.config_at(c);
    timing_.result_s.push_back(frames_ * macs[static_cast<size_t>(k.model)][space_.scale_index(k.setting)] /
                               s.server_macs_per_s);
  }
  timing_.segment_s = s.segment_s;
  timing_.decide_s = s.decide_s;
  reference_macs_ = t.reference_macs();
}

double replay_world::bytes_per_s(double paper_mbps) const {
  return paper_mbps * paper_pixel_ratio(s_.width, s_.height) * 1e6;
}

}  // namespace troupe::penance
