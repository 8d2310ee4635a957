#include "actors/react_edge.hpp"

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

react_edge::react_edge(react_settings settings)
    : s_(std::move(settings)), tracker_(vision::make_tracker(s_.tracker)), motion_(s_.motion_scale) {
  if (s_.edge_every < 1 || s_.cloud_every < 1 || s_.fast_track_stride < 1 || s_.buffer_frames < 2)
    throw std::runtime_error("need edge_every, cloud_every, fast_track_stride >= 1 and buffer_frames >= 2");
}

react_frame_plan react_edge::on_frame(uint64_t index, const cv::Mat& image) {
  uint64_t n = counters_.frames++;
  buffer_.push_back({index, image});
  if (buffer_.size() > s_.buffer_frames)
    buffer_.pop_front();
  react_frame_plan plan;
  plan.motion = motion_.measure(image);
  if (tracking() && !objects_.empty()) {
    std::unordered_map<int, size_t> at;
    for (size_t i = 0; i < objects_.size(); ++i)
      at[objects_[i].det.id] = i;
    std::vector<react::object> moved;
    for (auto& d : tracker_->update(image))
      if (auto it = at.find(d.id); it != at.end()) {  // objects decayed away are still tracked until the next fusion
        moved.push_back(objects_[it->second]);
        moved.back().det.box = d.box;
      }
    objects_ = std::move(moved);
    react::decay_scores(objects_, s_.fusion.decay, s_.min_score);
  }
  bool moving = n == 0 || plan.motion > s_.motion_threshold;  // nothing is known of the first frame
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

std::vector<vision::detection> react_edge::output() const {
  std::vector<vision::detection> out;
  for (auto& o : objects_)
    out.push_back(o.det);
  return out;
}

std::optional<catch_up_job> react_edge::on_detections(react::source from, uint64_t index,
                                                      std::vector<vision::detection> boxes) {
  if (buffer_.empty() || index == newest() || !tracking()) {
    if (from == react::source::cloud && !buffer_.empty())
      counters_.cloud_age_frames += double(newest() - index);
    fuse_now(from, boxes);
    return std::nullopt;
  }
  if (index < buffer_.front().index || index > newest()) {
    ++counters_.too_old;
    return std::nullopt;
  }
  if (from == react::source::cloud)
    counters_.cloud_age_frames += double(newest() - index);
  return job(from, index, std::move(boxes));
}

std::optional<catch_up_job> react_edge::on_caught_up(const catch_up_result& done) {
  counters_.caught_up_frames += done.reached - done.started;
  if (done.reached == newest()) {
    fuse_now(done.from, done.boxes);
    return std::nullopt;
  }
  // Gaining: the frames left are fewer than the ones this catch-up covered.
  if (newest() - done.reached < done.reached - done.started && done.reached >= buffer_.front().index)
    return job(done.from, done.reached, done.boxes);
  ++counters_.fused_behind;
  fuse_now(done.from, done.boxes);
  return std::nullopt;
}

std::optional<catch_up_job> react_edge::job(react::source from, uint64_t index, std::vector<vision::detection> boxes) {
  catch_up_job j{from, {}, std::move(boxes), s_.fast_track_stride, s_.tracker};
  for (auto& f : buffer_)
    if (f.index >= index)
      j.frames.push_back(f);
  ++counters_.catch_ups;
  return j;
}

void react_edge::fuse_now(react::source from, const std::vector<vision::detection>& boxes) {
  objects_ = react::fuse(objects_, boxes, from, s_.fusion);
  for (auto& o : objects_)
    if (o.det.id < 0)
      o.det.id = next_id_++;  // the tracker tells objects apart by it
  (from == react::source::cloud ? counters_.cloud_fusions : counters_.edge_fusions) += 1;
  if (tracking() && !buffer_.empty())
    tracker_->reset(buffer_.back().image, output());
}

}  // namespace troupe
