#include "actors/penance/core/replay.hpp"

#include <algorithm>
#include <stdexcept>

namespace troupe::penance {

segment_replay::segment_replay(const config_space& space, const std::vector<double>& cost, replay_timing timing,
                               const std::vector<segment_truth>& video, std::vector<double> bandwidth)
    : space_(&space), cost_(&cost), timing_(std::move(timing)), video_(&video), bandwidth_(std::move(bandwidth)) {
  if (cost.size() != space.configs() || timing_.encode_s.size() != space.settings() ||
      timing_.result_s.size() != space.configs())
    throw std::invalid_argument("a replay's costs or timings do not match the configuration space");
  if (bandwidth_.size() < video.size())
    throw std::invalid_argument("a replay has " + std::to_string(bandwidth_.size()) + " bandwidths for " +
                                std::to_string(video.size()) + " segments");
  for (auto& s : video)
    if (s.bytes.size() != space.settings() || s.accuracy.size() != space.configs())
      throw std::invalid_argument("a segment's truth does not match the configuration space");
  if (!(timing_.segment_s > 0))
    throw std::invalid_argument("a segment must last more than 0 s");
}

double segment_replay::decision_at_s() const {
  return static_cast<double>(next_ + 1) * timing_.segment_s + timing_.decide_s;
}

std::optional<feedback> segment_replay::latest() const {
  auto at = decision_at_s();
  for (auto r = results_.rbegin(); r != results_.rend(); ++r)
    if (r->back_s <= at)
      return r->f;
  return std::nullopt;
}

replay_step segment_replay::step(size_t config) {
  if (done())
    throw std::logic_error("the replay's video has ended");
  auto c = space_->config_at(config);
  auto& truth = (*video_)[next_];
  replay_step s;
  s.segment = next_;
  s.config = config;
  s.seen = latest();
  s.stale = next_ > 0 && (!s.seen || s.seen->segment + 1 != next_);
  s.bytes = truth.bytes[c.setting];
  s.bandwidth = bandwidth_[next_];
  s.start_s = std::max(decision_at_s() + timing_.encode_s[c.setting], link_free_s_);
  double needed = s.bandwidth > 0 ? s.bytes / s.bandwidth : timing_.segment_s + 1;
  s.delivered = needed <= timing_.segment_s;
  s.upload_s = std::min(needed, timing_.segment_s);  // a cut upload holds the link to its deadline
  link_free_s_ = s.start_s + s.upload_s;
  if (s.delivered) {
    s.back_s = std::max(link_free_s_, server_free_s_) + timing_.result_s[config];
    server_free_s_ = s.back_s;
    s.accuracy = truth.accuracy[config];
    s.cost = (*cost_)[config];
    results_.push_back({s.back_s, {s.segment, config}});
  }
  ++next_;
  return s;
}

step_terms terms_of(const replay_step& s, double accuracy_target, double segment_s) {
  return {accuracy_target - s.accuracy, (s.bytes / segment_s - s.bandwidth) / 1e6, s.cost};
}

}  // namespace troupe::penance
