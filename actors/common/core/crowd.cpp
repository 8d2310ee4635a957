#include "actors/common/core/crowd.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace troupe {

double crowd_config::entry_rate_at(size_t camera, double t_s) const {
  bool burst = burst_every_s > 0 && std::fmod(t_s, burst_every_s) < burst_length_s;
  return entry_rate[camera] * (burst ? burst_factor : 1.0);
}

std::vector<std::vector<size_t>> crowd_config::neighbours() const {
  std::vector<std::vector<size_t>> out(cameras.size());
  for (auto [a, b] : edges) {
    out[a].push_back(b);
    out[b].push_back(a);
  }
  return out;
}

crowd_view::crowd_view(std::shared_ptr<const crowd_config> crowd, size_t camera)
    : crowd_(std::move(crowd)), neighbours_(crowd_->neighbours()), camera_(camera), rng_(crowd_->seed) {
  total_rate_ = std::accumulate(crowd_->entry_rate.begin(), crowd_->entry_rate.end(), 0.0);
  peak_rate_ = total_rate_ * std::max(1.0, crowd_->burst_factor);
  next_entry_s_ = peak_rate_ > 0 ? -std::log(1 - uniform()) / peak_rate_ : std::numeric_limits<double>::infinity();
}

double crowd_view::uniform() {
  return double(rng_() >> 11) * 0x1.0p-53;  // [0, 1), the same on every platform
}

uint32_t crowd_view::in_view(double t_s) {
  enter_until(t_s);
  views_.erase(std::remove_if(views_.begin(), views_.end(), [&](auto& v) { return v.second <= t_s; }), views_.end());
  return uint32_t(std::count_if(views_.begin(), views_.end(), [&](auto& v) { return v.first <= t_s; }));
}

// Thinning (Lewis–Shedler): candidates at the peak rate, each at an entrance chosen by
// its base rate, kept with the share of the peak that entrance has at that moment.
void crowd_view::enter_until(double t_s) {
  auto& c = *crowd_;
  while (next_entry_s_ <= t_s) {
    double at = next_entry_s_;
    double pick = uniform() * total_rate_;
    size_t camera = 0;
    while (camera + 1 < c.entry_rate.size() && pick >= c.entry_rate[camera])
      pick -= c.entry_rate[camera++];
    double keep = c.entry_rate_at(camera, at) / (c.entry_rate[camera] * std::max(1.0, c.burst_factor));
    if (uniform() < keep)
      walk(camera, at);
    next_entry_s_ = at - std::log(1 - uniform()) / peak_rate_;
  }
}

void crowd_view::walk(size_t camera, double t_s) {
  auto& c = *crowd_;
  for (size_t view = 0; view < c.max_views; ++view) {
    double until = t_s + uniform(c.dwell_min_s, c.dwell_max_s);
    if (camera == camera_)
      views_.emplace_back(t_s, until);
    if (uniform() < c.exit_probability || neighbours_[camera].empty())
      return;
    auto& next = neighbours_[camera];
    camera = next[std::min(next.size() - 1, size_t(uniform() * double(next.size())))];
    t_s = until + uniform(c.lag_min_s, c.lag_max_s);
  }
}

}  // namespace troupe
