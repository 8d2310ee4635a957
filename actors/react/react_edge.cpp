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

bool react_edge::superseded(react::source from, uint64_t origin) const {
  auto& fused = fused_origin_[from == react::source::cloud];
  return fused && origin < *fused;
}

result_outcome react_edge::on_detections(react::source from, uint64_t index, std::vector<vision::detection> boxes) {
  if (!taken(index))
    return dropped(&react_counters::not_taken, "result for a frame not taken");
  if (superseded(from, index))
    return dropped(&react_counters::superseded, "superseded by a newer result of its source");
  if (index == newest() || !tracking() || !s_.fast_tracking) {
    if (from == react::source::cloud)
      counters_.cloud_age_frames += double(newest() - index);
    return fuse_now(from, index, boxes);
  }
  if (index < buffer_.front().index)
    return dropped(&react_counters::too_old, "its frame had left the buffer");
  if (from == react::source::cloud)
    counters_.cloud_age_frames += double(newest() - index);
  return chase(from, index, index, std::move(boxes));
}

result_outcome react_edge::on_caught_up(const catch_up_result& done) {
  counters_.caught_up_frames += done.reached - done.started;
  if (done.failed)
    return dropped(&react_counters::tracker_failures, "its catch-up's tracker failed");
  if (superseded(done.from, done.origin))
    return dropped(&react_counters::superseded, "superseded by a newer result of its source");
  if (done.reached == newest())
    return fuse_now(done.from, done.origin, done.boxes);
  // Not losing ground (no more new frames than this catch-up covered) and its frame
  // still buffered: chase again. A tracker that only keeps pace on a loaded machine
  // gets there once a frame period is free; one that loses ground never would.
  bool keeping_pace = newest() - done.reached <= done.reached - done.started;
  if (keeping_pace && done.origin >= buffer_.front().index)
    return chase(done.from, done.origin, done.reached, done.boxes);
  // Its boxes sit on an old frame: fusing them with the present would misplace them.
  return dropped(&react_counters::fell_behind, "its catch-up fell behind");
}

result_outcome react_edge::dropped(uint64_t react_counters::*counter, const char* cause) {
  ++(counters_.*counter);
  return {result_fate::dropped, cause, std::nullopt};
}

result_outcome react_edge::chase(react::source from, uint64_t origin, uint64_t index,
                                 std::vector<vision::detection> boxes) {
  catch_up_job j{from, origin, {}, std::move(boxes), s_.fast_track_stride, s_.tracker};
  for (auto& f : buffer_)
    if (f.index >= index)
      j.frames.push_back(f);
  ++counters_.catch_ups;
  return {result_fate::chasing, {}, std::move(j)};
}

result_outcome react_edge::fuse_now(react::source from, uint64_t origin, const std::vector<vision::detection>& boxes) {
  fused_origin_[from == react::source::cloud] = origin;
  objects_ = react::fuse(objects_, boxes, from, s_.fusion);
  for (auto& o : objects_)
    if (o.det.id < 0)
      o.det.id = next_id_++;  // the tracker tells objects apart by it
  (from == react::source::cloud ? counters_.cloud_fusions : counters_.edge_fusions) += 1;
  if (tracking() && !buffer_.empty()) {
    try {
      tracker_->reset(buffer_.back().image, output());
    } catch (const std::exception&) {
      ++counters_.tracker_failures;  // the objects are kept: the result was fused all the same
    }
  }
  return {result_fate::fused, {}, std::nullopt};
}

}  // namespace troupe
