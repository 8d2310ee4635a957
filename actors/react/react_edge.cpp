#include "actors/react/react_edge.hpp"

#include <stdexcept>
#include <unordered_map>

namespace troupe {

react_mode react_mode_of(const std::string& name) {
  if (name == "react")
    return react_mode::react;
  if (name == "edge-only")
    return react_mode::edge_only;
  if (name == "cloud-only")
    return react_mode::cloud_only;
  if (name == "every-frame-edge")
    return react_mode::every_frame_edge;
  throw std::runtime_error("mode '" + name + "' is not react, edge-only, cloud-only or every-frame-edge");
}

const char* name_of(react_mode m) {
  switch (m) {
    case react_mode::react: return "react";
    case react_mode::edge_only: return "edge-only";
    case react_mode::cloud_only: return "cloud-only";
    case react_mode::every_frame_edge: return "every-frame-edge";
  }
  return "?";
}

void check(const react_settings& s) {
  if (s.edge_every < 1 || s.cloud_every < 1 || s.fast_track_stride < 1)
    throw std::runtime_error("k, m and fast_track_stride must be at least 1");
  if (s.buffer_frames < 2)
    throw std::runtime_error("buffer_frames must be at least 2");
  if (s.motion_scale <= 0 || s.motion_scale > 1 || s.motion_percentile <= 0 || s.motion_percentile > 100)
    throw std::runtime_error("motion_scale must be in (0, 1] and motion_percentile in (0, 100]");
  if (s.fusion.decay <= 0 || s.fusion.decay > 1)
    throw std::runtime_error("decay must be in (0, 1]");
  vision::make_tracker(s.tracker);  // an unknown tracker names itself
}

catch_up_result run_catch_up(const catch_up_job& job) {
  catch_up_result out{job.from, job.origin, job.frames.front().index, job.frames.back().index, {}, false};
  try {
    out.boxes = react::fast_track(job.frames, job.boxes, job.stride, job.tracker);
  } catch (const std::exception&) {  // e.g. OpenCV refusing a degenerate box
    out.failed = true;
  }
  return out;
}

react_edge::react_edge(react_settings settings)
    : s_((check(settings), std::move(settings))), tracker_(vision::make_tracker(s_.tracker)),
      motion_(s_.motion_scale, s_.motion_percentile) {}

react_frame_plan react_edge::on_frame(uint64_t index, const cv::Mat& image) {
  uint64_t n = counters_.frames++;
  buffer_.push_back({index, image});
  if (buffer_.size() > s_.buffer_frames)
    buffer_.pop_front();
  react_frame_plan plan;
  plan.motion = motion_.measure(image);
  bool moving = n == 0 || plan.motion > s_.motion_threshold;  // nothing is known of the first frame
  if (tracking() && !objects_.empty())
    track(image, moving);
  bool edge_due = s_.mode == react_mode::every_frame_edge ||
                  (s_.mode != react_mode::cloud_only && n % uint64_t(s_.edge_every) == 0);
  bool cloud_due = (s_.mode == react_mode::react || s_.mode == react_mode::cloud_only) &&
                   n % uint64_t(s_.cloud_every) == 0;
  plan.to_edge = edge_due && (moving || s_.mode == react_mode::every_frame_edge);
  plan.to_cloud = cloud_due && moving;
  counters_.still_skips += (edge_due && !plan.to_edge) + (cloud_due && !plan.to_cloud);
  counters_.edge_requests += plan.to_edge;
  counters_.cloud_requests += plan.to_cloud;
  return plan;
}

const choice<decay_rule>& decay_rules() {
  static const choice<decay_rule> rules("decay_on", {{"every-frame", decay_rule::every_frame},
                                                     {"moving", decay_rule::while_moving}});
  return rules;
}

// The main tracker's step, then the decay of confidence (settings' decay_on).
void react_edge::track(const cv::Mat& image, bool moving) {
  std::vector<vision::detection> tracked;
  try {
    tracked = tracker_->update(image);
  } catch (const std::exception&) {
    ++counters_.tracker_failures;  // the objects stay where they were
    return;
  }
  std::unordered_map<int, size_t> at;
  for (size_t i = 0; i < objects_.size(); ++i)
    at[objects_[i].det.id] = i;
  std::vector<react::object> moved;
  for (auto& d : tracked)
    if (auto it = at.find(d.id); it != at.end()) {  // objects decayed away are still tracked until the next fusion
      moved.push_back(objects_[it->second]);
      moved.back().det.box = d.box;
    }
  objects_ = std::move(moved);
  if (moving || s_.decay_on == decay_rule::every_frame)
    react::decay_scores(objects_, s_.fusion.decay, s_.min_score);
}

std::vector<vision::detection> react_edge::output() const {
  std::vector<vision::detection> out;
  for (auto& o : objects_)
    out.push_back(o.det);
  return out;
}

result_outcome outcome_of(const react_counters& before, const react_counters& after, bool chasing) {
  if (chasing)
    return {result_fate::chasing, {}};
  // A fusion first: fusing may also count a tracker failure (the reset after it).
  if (after.edge_fusions + after.cloud_fusions > before.edge_fusions + before.cloud_fusions)
    return {result_fate::fused, {}};
  const std::pair<uint64_t react_counters::*, const char*> causes[] = {
      {&react_counters::not_taken, "result for a frame not taken"},
      {&react_counters::superseded, "superseded by a newer result of its source"},
      {&react_counters::too_old, "its frame had left the buffer"},
      {&react_counters::fell_behind, "its catch-up fell behind"},
      {&react_counters::tracker_failures, "its catch-up's tracker failed"},
  };
  for (auto& [counter, cause] : causes)
    if (after.*counter > before.*counter)
      return {result_fate::dropped, cause};
  return {result_fate::dropped, "not fused (no cause counted)"};
}

bool react_edge::superseded(react::source from, uint64_t origin) {
  auto& fused = fused_origin_[from == react::source::cloud];
  if (!fused || origin >= *fused)
    return false;
  ++counters_.superseded;
  return true;
}

std::optional<catch_up_job> react_edge::on_detections(react::source from, uint64_t index,
                                                      std::vector<vision::detection> boxes) {
  if (!taken(index)) {
    ++counters_.not_taken;
    return std::nullopt;
  }
  if (superseded(from, index))
    return std::nullopt;
  if (index == newest() || !tracking() || !s_.fast_tracking) {
    if (from == react::source::cloud)
      counters_.cloud_age_frames += double(newest() - index);
    fuse_now(from, index, boxes);
    return std::nullopt;
  }
  if (index < buffer_.front().index) {
    ++counters_.too_old;
    return std::nullopt;
  }
  if (from == react::source::cloud)
    counters_.cloud_age_frames += double(newest() - index);
  return job(from, index, index, std::move(boxes));
}

std::optional<catch_up_job> react_edge::on_caught_up(const catch_up_result& done) {
  counters_.caught_up_frames += done.reached - done.started;
  if (done.failed) {
    ++counters_.tracker_failures;
    return std::nullopt;
  }
  if (superseded(done.from, done.origin))
    return std::nullopt;
  if (done.reached == newest()) {
    fuse_now(done.from, done.origin, done.boxes);
    return std::nullopt;
  }
  // Not losing ground (no more new frames than this catch-up covered) and its frame
  // still buffered: chase again. A tracker that only keeps pace on a loaded machine
  // gets there once a frame period is free; one that loses ground never would.
  bool keeping_pace = newest() - done.reached <= done.reached - done.started;
  if (keeping_pace && done.origin >= buffer_.front().index)
    return job(done.from, done.origin, done.reached, done.boxes);
  ++counters_.fell_behind;  // its boxes sit on an old frame: fusing them with the present would misplace them
  return std::nullopt;
}

std::optional<catch_up_job> react_edge::job(react::source from, uint64_t origin, uint64_t index,
                                            std::vector<vision::detection> boxes) {
  catch_up_job j{from, origin, {}, std::move(boxes), s_.fast_track_stride, s_.tracker};
  for (auto& f : buffer_)
    if (f.index >= index)
      j.frames.push_back(f);
  ++counters_.catch_ups;
  return j;
}

void react_edge::fuse_now(react::source from, uint64_t origin, const std::vector<vision::detection>& boxes) {
  fused_origin_[from == react::source::cloud] = origin;
  objects_ = react::fuse(objects_, boxes, from, s_.fusion);
  for (auto& o : objects_)
    if (o.det.id < 0)
      o.det.id = next_id_++;  // the tracker tells objects apart by it
  (from == react::source::cloud ? counters_.cloud_fusions : counters_.edge_fusions) += 1;
  if (!tracking() || buffer_.empty())
    return;
  try {
    tracker_->reset(buffer_.back().image, output());
  } catch (const std::exception&) {
    ++counters_.tracker_failures;
  }
}

}  // namespace troupe
