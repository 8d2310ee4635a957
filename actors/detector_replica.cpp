#include "actors/detector_replica.hpp"

#include <map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/context.hpp"
#include "actors/node.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/detector.hpp"
#include "vision/jpeg_codec.hpp"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

struct replica_settings {
  std::string model = "hog";
  vision::detector_options options;
  int64_t max_age_ms = 1000;
  int64_t stats_interval_ms = 1000;
};

struct replica_state {
  uint64_t processed = 0, dropped_stale = 0;
  std::vector<double> compute_ms;
  // One detector for all cameras, or one per camera for those that learn a scene.
  std::map<std::string, std::unique_ptr<vision::detector>> detectors;
};

vision::detector& detector_for(replica_state& state, const replica_settings& cfg,
                               const std::string& camera) {
  auto& shared = state.detectors[""];
  if (!shared)
    shared = vision::make_detector(cfg.model, cfg.options);
  if (!shared->per_camera())
    return *shared;
  auto& own = state.detectors[camera];
  if (!own)
    own = vision::make_detector(cfg.model, cfg.options);
  return *own;
}

msg::Detections detect(vision::detector& model, const msg::Region& region, int64_t queue_us) {
  auto start = std::chrono::steady_clock::now();
  auto image = vision::decode_jpeg(region.jpeg());
  auto found = model.detect(image);
  msg::Detections out;
  out.set_camera(region.camera());
  out.set_frame_index(region.frame_index());
  out.set_capture_time_unix_ns(region.capture_time_unix_ns());
  out.set_model(model.model());
  for (auto& d : found) {
    auto* b = out.add_boxes();
    b->set_x(d.box.x + region.x());
    b->set_y(d.box.y + region.y());
    b->set_width(d.box.width);
    b->set_height(d.box.height);
    b->set_label(d.label == 0 ? "person" : std::to_string(d.label));
    b->set_score(d.score);
  }
  out.set_queue_us(queue_us);
  out.set_compute_us(std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::steady_clock::now() - start).count());
  return out;
}

caf::behavior detector_replica(caf::event_based_actor* self, context ctx, replica_settings cfg) {
  auto state = std::make_shared<replica_state>();
  auto interval = std::chrono::milliseconds(cfg.stats_interval_ms);
  ctx.after(self, interval, tick_atom::value);
  return {
    [=](const letter& in) {
      auto region = in.as<msg::Region>();
      if (region == nullptr)
        return;
      auto age_us = (ctx.now_ns() - region->capture_time_unix_ns()) / 1000;
      if (age_us > cfg.max_age_ms * 1000) {
        ++state->dropped_stale;
        return;
      }
      try {
        auto result = detect(detector_for(*state, cfg, region->camera()), *region, age_us);
        state->compute_ms.push_back(result.compute_us() / 1000.0);
        ++state->processed;
        ctx.send(region->reply_to(), std::move(result), &in);
      } catch (const std::exception& e) {
        spdlog::warn("replica {}: region from {} dropped: {}", ctx.name(), region->camera(), e.what());
        ++state->dropped_stale;
      }
    },
    [=](tick_atom) {
      msg::ReplicaStats stats;
      stats.set_replica(ctx.name());
      stats.set_processed(state->processed);
      stats.set_dropped_stale(state->dropped_stale);
      stats.set_compute_p50_ms(vision::percentile(state->compute_ms, 50));
      state->compute_ms.clear();
      ctx.publish("replica-stats", std::move(stats));
      ctx.after(self, interval, tick_atom::value);
    },
  };
}

}  // namespace

kind_spec detector_replica_kind() {
  return {
    "detector",
    "object detector replica (HOG, MOG2 blobs, Haar cascades)",
    {
      {"model", param_type::string, false, "hog, mog2, haar-fullbody, haar-upperbody or haar-face; default hog"},
      {"cascade_dir", param_type::string, false, "where the Haar cascades are, default /usr/share/opencv4/haarcascades"},
      {"max_age_ms", param_type::integer, false, "drop regions older than this, default 1000"},
      {"hit_threshold", param_type::number, false, "HOG SVM threshold, default 0"},
      {"win_stride", param_type::integer, false, "HOG window stride in pixels, default 8"},
      {"scale_step", param_type::number, false, "HOG pyramid scale step, default 1.05"},
      {"min_score", param_type::number, false, "drop weaker boxes, default 0.3"},
      {"stats_interval_ms", param_type::integer, false, "replica-stats period, default 1000"},
    },
    [](node& n, context ctx, const params& p) {
      replica_settings s;
      s.model = p.get_string("model", s.model);
      auto& o = s.options;
      o.cascade_dir = p.get_string("cascade_dir", o.cascade_dir);
      s.max_age_ms = p.get_int("max_age_ms", s.max_age_ms);
      o.hog.hit_threshold = p.get_double("hit_threshold", o.hog.hit_threshold);
      o.hog.win_stride = static_cast<int>(p.get_int("win_stride", o.hog.win_stride));
      o.hog.scale_step = p.get_double("scale_step", o.hog.scale_step);
      o.hog.min_score = p.get_double("min_score", o.hog.min_score);
      s.stats_interval_ms = p.get_int("stats_interval_ms", s.stats_interval_ms);
      vision::make_detector(s.model, o);  // a bad model fails here, naming actor and file
      return n.system().spawn<caf::detached>(detector_replica, std::move(ctx), s);
    },
  };
}

}  // namespace troupe
