#include "actors/react/react_camera.hpp"

#include <algorithm>
#include <array>
#include <chrono>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/box_codec.hpp"
#include "actors/common/camera_loop.hpp"
#include "actors/common/decision_metrics.hpp"
#include "actors/common/detections_check.hpp"
#include "actors/runtime/node.hpp"
#include "actors/react/react_edge.hpp"
#include "actors/react/react_fast_tracker.hpp"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

struct react_camera_settings {
  camera_source input;
  react_settings manager;
  std::string edge, cloud;          // the edge detector (on the camera's device) and the cloud model server
  int64_t edge_timeout_ms = 1000;   // a frame waits this long for its edge detection
  int64_t stats_interval_ms = 1000;
};

// A frame whose output waits for its own edge detection: the edge detector runs in
// line with the camera (§3.1), only the cloud is asynchronous.
struct pending_frame {
  uint64_t index = 0;
  int64_t capture_ns = 0;
  uint64_t cloud_bytes = 0;
};

const char* fate_name(result_fate f) {
  switch (f) {
    case result_fate::fused:
      return "fused";
    case result_fate::dropped:
      return "dropped";
    case result_fate::chasing:
      return "chasing";
  }
  return "?";
}

struct react_camera_state {
  react_camera_state(const context& ctx, const react_settings& s)
      : manager(s), decisions(ctx.metrics(), "react", ctx.name()) {
    for (auto fate : {result_fate::fused, result_fate::dropped, result_fate::chasing})
      fates[size_t(fate)] = &ctx.metrics().counter_for("troupe_react_results_total",
                                                       "Edge and cloud results by what the manager made of them",
                                                       {{"camera", ctx.name()}, {"fate", fate_name(fate)}});
  }
  react_edge manager;
  decision_metrics decisions;  // the manager's handling of a result; plan size: the objects it outputs
  std::array<metrics::counter*, 3> fates{};
  caf::actor fast_tracker;
  int64_t last_stats_ns = 0;
  int64_t started_ns = 0;
  std::optional<pending_frame> pending;
  std::map<uint64_t, int64_t> cloud_sent_ns;  // frame → when it left, for the round trip
  std::vector<double> cloud_rtt_ms;
  uint64_t cloud_bytes = 0, unsent = 0, edge_timeouts = 0, outputs_unsent = 0;
  // The item books: each request an item, ended by its result fused into the next
  // output (Detections.items), dropped by the manager with its cause, or held.
  std::shared_ptr<item_ledger> items;
  uint64_t fused_unsent = 0, chasing = 0;  // results fused since the last output; in catch-ups
};

void book(const context& ctx, react_camera_state& s, const result_outcome& o) {
  s.fates[size_t(o.fate)]->add();
  if (o.fate == result_fate::fused)
    ++s.fused_unsent;
  else if (o.fate == result_fate::chasing)
    ++s.chasing;
  else
    s.items->dropped(ctx.name(), o.cause);
}

bool everyone_up(const context& ctx, const react_camera_settings& cfg) {
  return (cfg.edge.empty() || ctx.knows(cfg.edge)) && (cfg.cloud.empty() || ctx.knows(cfg.cloud));
}

// `detected`: the frame's own edge detection is in the output (else tracking and fusion).
void emit(const context& ctx, const react_camera_settings& cfg, react_camera_state& s, uint64_t index,
          int64_t capture_ns, uint64_t cloud_bytes, bool detected) {
  msg::Detections d;
  d.set_camera(ctx.name());
  d.set_frame_index(index);
  d.set_capture_time_unix_ns(capture_ns);
  d.set_model(std::string("react:") + name_of(cfg.manager.mode));
  d.set_region_bytes(cloud_bytes);  // what this frame put on the network
  d.set_tracked_only(!detected);
  add_boxes(*d.mutable_boxes(), s.manager.output());
  d.set_items(uint32_t(s.fused_unsent));
  auto err = ctx.send(cfg.input.sink, std::move(d));
  s.items->handed_on(ctx.name(), cfg.input.sink, err, s.fused_unsent);
  s.fused_unsent = 0;
  if (err)
    ++s.outputs_unsent;
}

msg::CameraStats stats_of(const context& ctx, const react_camera_settings& cfg, const react_camera_state& s) {
  msg::CameraStats out;
  out.set_camera(ctx.name());
  out.set_kind(std::string("react-camera/") + name_of(cfg.manager.mode));
  auto& c = s.manager.counters();
  auto& f = *out.mutable_figures();
  f["frames"] = double(c.frames);
  f["edge_requests"] = double(c.edge_requests);
  f["cloud_requests"] = double(c.cloud_requests);
  f["still_skips"] = double(c.still_skips);
  f["edge_fusions"] = double(c.edge_fusions);
  f["cloud_fusions"] = double(c.cloud_fusions);
  f["catch_ups"] = double(c.catch_ups);
  f["caught_up_frames"] = double(c.caught_up_frames);
  f["fell_behind"] = double(c.fell_behind);
  f["too_old"] = double(c.too_old);
  f["not_taken"] = double(c.not_taken);
  f["superseded"] = double(c.superseded);
  f["tracker_failures"] = double(c.tracker_failures);
  f["cloud_age_frames_mean"] = c.cloud_fusions > 0 ? c.cloud_age_frames / double(c.cloud_fusions) : 0;
  f["cloud_rtt_p50_ms"] = vision::percentile(s.cloud_rtt_ms, 50);
  f["cloud_rtt_p95_ms"] = vision::percentile(s.cloud_rtt_ms, 95);
  f["cloud_rtt_p99_ms"] = vision::percentile(s.cloud_rtt_ms, 99);
  f["cloud_replies"] = double(s.cloud_rtt_ms.size());
  f["cloud_bytes"] = double(s.cloud_bytes);
  f["unsent"] = double(s.unsent);
  f["edge_timeouts"] = double(s.edge_timeouts);
  f["outputs_unsent"] = double(s.outputs_unsent);
  return out;
}

// From the typed counters, not the figures' names: a misspelt name cannot compile.
void print_summary(const context& ctx, const react_camera_settings& cfg, const react_camera_state& s) {
  auto& c = s.manager.counters();
  spdlog::info("{} (react-camera/{}): {} frames, {} edge and {} cloud requests ({} skipped, still scene), {} edge "
               "and {} cloud fusions, {} catch-ups over {} frames ({} fell behind), cloud round trip p50 {:.1f} ms "
               "p95 {:.1f} ms, {} results too old and {} superseded, {} tracker failures, {} sends and {} outputs "
               "refused by the bus, {} edge timeouts",
               ctx.name(), name_of(cfg.manager.mode), c.frames, c.edge_requests, c.cloud_requests, c.still_skips,
               c.edge_fusions, c.cloud_fusions, c.catch_ups, c.caught_up_frames, c.fell_behind,
               vision::percentile(s.cloud_rtt_ms, 50), vision::percentile(s.cloud_rtt_ms, 95), c.too_old, c.superseded,
               c.tracker_failures, s.unsent, s.outputs_unsent, s.edge_timeouts);
}

// Requests whose frame left the buffer can no longer be used: their send times go.
void forget_unanswered(react_camera_state& s, uint64_t newest, size_t buffer_frames) {
  while (!s.cloud_sent_ns.empty() && s.cloud_sent_ns.begin()->first + buffer_frames < newest)
    s.cloud_sent_ns.erase(s.cloud_sent_ns.begin());
}

// Sends the frame to a detector; the bytes it took, 0 when the bus refused it (counted).
uint64_t request(const context& ctx, const react_camera_settings& cfg, react_camera_state& s,
                 const vision::source_frame& frame, int64_t capture_ns, const std::string& to) {
  auto region = cfg.input.region(ctx, frame, cv::Rect(0, 0, frame.image.cols, frame.image.rows), capture_ns,
                                 ctx.name());
  uint64_t bytes = region.jpeg().size();
  s.items->produced(ctx.name());
  auto err = ctx.send(to, std::move(region));
  s.items->handed_on(ctx.name(), to, err);
  if (err) {
    spdlog::warn("camera {}: frame {} to {} not sent: {}", ctx.name(), frame.index, to, caf::to_string(err));
    ++s.unsent;
    return 0;
  }
  return bytes;
}

// REACT's camera: the edge-cloud manager (react_edge) says where each frame goes; a
// frame sent to the edge detector holds the next one until its detection is in.
class react_frames final : public camera_body {
 public:
  react_frames(caf::event_based_actor* self, context ctx, react_camera_settings cfg,
               std::shared_ptr<react_camera_state> s)
      : self_(self), ctx_(std::move(ctx)), cfg_(std::move(cfg)), s_(std::move(s)) {}

  bool receivers_up(const context& ctx) const override { return everyone_up(ctx, cfg_); }

  bool on_frame(const vision::source_frame& frame, int64_t capture_ns) override {
    auto plan = s_->manager.on_frame(frame.index, frame.image);
    uint64_t bytes = 0;
    if (plan.to_cloud && (bytes = request(ctx_, cfg_, *s_, frame, capture_ns, cfg_.cloud)) > 0) {
      s_->cloud_sent_ns[frame.index] = ctx_.now_ns();
      s_->cloud_bytes += bytes;
    }
    forget_unanswered(*s_, frame.index, cfg_.manager.buffer_frames);
    if (plan.to_edge && request(ctx_, cfg_, *s_, frame, capture_ns, cfg_.edge) > 0) {
      s_->pending = pending_frame{frame.index, capture_ns, bytes};
      ctx_.after(self_, std::chrono::milliseconds(cfg_.edge_timeout_ms), expire_atom::value, frame.index);
      return false;
    }
    emit(ctx_, cfg_, *s_, frame.index, capture_ns, bytes, false);
    return true;
  }

  void on_tick() override {
    if (ctx_.now_ns() - s_->last_stats_ns >= cfg_.stats_interval_ms * 1'000'000) {
      s_->last_stats_ns = ctx_.now_ns();
      ctx_.send(cfg_.input.sink, stats_of(ctx_, cfg_, *s_));
    }
  }

 private:
  caf::event_based_actor* self_;
  context ctx_;
  react_camera_settings cfg_;
  std::shared_ptr<react_camera_state> s_;
};

caf::behavior react_camera(caf::event_based_actor* self, context ctx, react_camera_settings cfg) {
  auto s = std::make_shared<react_camera_state>(ctx, cfg.manager);
  s->started_ns = ctx.now_ns();
  s->fast_tracker = self->spawn<caf::detached + caf::linked>(react_fast_tracker);
  s->last_stats_ns = ctx.now_ns();
  auto loop = std::make_shared<camera_loop>(self, ctx, cfg.input);
  s->items = loop->items();
  loop->held_by([name = ctx.name(), s] { return std::map<std::string, uint64_t>{{name, s->chasing + s->fused_unsent}}; });
  loop->last_word_by([ctx, cfg, s] { ctx.send(cfg.input.sink, stats_of(ctx, cfg, *s)); });
  auto body = std::make_shared<react_frames>(self, ctx, cfg, s);
  self->attach_functor([=] { print_summary(ctx, cfg, *s); });
  auto finish_pending = [=](bool detected) {
    auto p = *s->pending;
    s->pending.reset();
    emit(ctx, cfg, *s, p.index, p.capture_ns, p.cloud_bytes, detected);
    loop->next_frame(p.capture_ns);
  };
  // A result's outcome goes into the books; a catch-up it needs goes to the fast tracker.
  auto follow = [=](std::chrono::steady_clock::time_point asked, result_outcome out) {
    s->decisions.decided(asked, double(s->manager.output().size()));
    book(ctx, *s, out);
    if (out.next)
      self->send(s->fast_tracker, catch_up_job_ptr(std::make_shared<catch_up_job>(std::move(*out.next))));
  };
  loop->start();
  return {
    [=](tick_atom) { loop->tick(*body); },
    [=](const letter& in) {
      auto d = in.as<msg::Detections>();
      if (d == nullptr)
        return;
      if (in.sender != cfg.edge && in.sender != cfg.cloud)
        return ctx.refuse(in, refusal::unknown_sender, "its detections come from '" + cfg.edge + "' and '" + cfg.cloud + "'");
      auto why = check_detections(*d, window_since(s->started_ns, ctx.now_ns()));
      if (!why && (d->camera() != ctx.name() || !s->manager.taken(d->frame_index())))
        why = refusal::out_of_range;  // another camera's frame, or one not taken yet
      if (why) {
        if (d->camera() == ctx.name())  // its detector counted it sent here: it ends here
          s->items->dropped(ctx.name(), std::string("result refused as ") + to_string(*why));
        return ctx.refuse(in, *why, "frame " + std::to_string(d->frame_index()));
      }
      // The edge's answer to the waiting frame, else by sender (edge and cloud may be one replica).
      bool awaited = s->pending && s->pending->index == d->frame_index() && in.sender == cfg.edge;
      auto from = awaited || in.sender != cfg.cloud ? react::source::edge : react::source::cloud;
      if (auto sent = s->cloud_sent_ns.find(d->frame_index()); from == react::source::cloud && sent != s->cloud_sent_ns.end()) {
        s->cloud_rtt_ms.push_back((ctx.now_ns() - sent->second) / 1e6);
        s->cloud_sent_ns.erase(sent);
      }
      auto asked = std::chrono::steady_clock::now();
      follow(asked, s->manager.on_detections(from, d->frame_index(), detections_of(d->boxes())));
      if (from == react::source::edge && s->pending && s->pending->index == d->frame_index())
        finish_pending(true);
    },
    [=](const catch_up_result_ptr& done) {
      --s->chasing;
      auto asked = std::chrono::steady_clock::now();
      follow(asked, s->manager.on_caught_up(*done));
    },
    [=](expire_atom, uint64_t index) {
      if (!s->pending || s->pending->index != index)
        return;
      ++s->edge_timeouts;
      finish_pending(false);
    },
  };
}

react_settings read_manager(const params& p) {
  react_settings s;
  s.mode = react_mode_of(p.get_string("mode", name_of(s.mode)));
  s.edge_every = int(p.get_int("k", s.edge_every));
  s.cloud_every = int(p.get_int("m", s.cloud_every));
  s.motion_threshold = p.get_double("motion_threshold", s.motion_threshold);
  s.motion_scale = p.get_double("motion_scale", s.motion_scale);
  s.motion_percentile = p.get_double("motion_percentile", s.motion_percentile);
  s.fusion.iou_threshold = p.get_double("fusion_iou", s.fusion.iou_threshold);
  s.fusion.decay = p.get_double("decay", s.fusion.decay);
  s.decay_on = decay_rules().parse(p.get_string("decay_on", decay_rules().name(s.decay_on)));
  s.min_score = p.get_double("min_score", s.min_score);
  s.tracker = p.get_string("tracker", s.tracker);
  s.fast_track_stride = int(p.get_int("fast_track_stride", s.fast_track_stride));
  s.fast_tracking = p.get_bool("fast_tracking", s.fast_tracking);
  s.buffer_frames = size_t(std::max<int64_t>(0, p.get_int("buffer_frames", int64_t(s.buffer_frames))));
  check(s);  // bad values fail the spawn, not the camera's first frame
  return s;
}

react_camera_settings read_settings(const params& p) {
  react_camera_settings s{read_camera_source(p), read_manager(p), p.get_string("edge"), p.get_string("cloud")};
  s.edge_timeout_ms = p.get_int("edge_timeout_ms", s.edge_timeout_ms);
  s.stats_interval_ms = p.get_int("stats_interval_ms", s.stats_interval_ms);
  auto mode = s.manager.mode;
  bool needs_edge = mode != react_mode::cloud_only, needs_cloud = mode == react_mode::react || mode == react_mode::cloud_only;
  if (needs_edge && s.edge.empty())
    throw std::runtime_error(std::string("mode ") + name_of(mode) + " needs `edge`: the edge detector's replica");
  if (needs_cloud && s.cloud.empty())
    throw std::runtime_error(std::string("mode ") + name_of(mode) + " needs `cloud`: the model server's replica");
  if (!needs_edge)
    s.edge.clear();  // a baseline ignores the detector it does not use
  if (!needs_cloud)
    s.cloud.clear();
  return s;
}

}  // namespace

kind_spec react_camera_kind() {
  auto parameters = camera_source_params();
  std::vector<param_spec> own = {
    {"mode", param_type::string, false, "react (default), edge-only, cloud-only or every-frame-edge (the baselines)"},
    {"edge", param_type::string, false, "the edge detector's replica (on the camera's device); not for cloud-only", {"detector"}},
    {"cloud", param_type::string, false, "the cloud model server's replica; for react and cloud-only", {"detector"}},
    in_range({"k", param_type::integer, false, "edge detection every k-th frame, default 5 (the paper's)"}, 1, 100000),
    in_range({"m", param_type::integer, false, "a frame to the cloud every m-th frame, default 30 (the paper's)"}, 1, 100000),
    in_range({"motion_threshold", param_type::number, false, "motion (px/frame) below which no detection is asked, default 1.5"}, 0, 1000000),
    in_range({"motion_scale", param_type::number, false, "resolution factor of the change detector's flow, default 0.25"}, 0.01, 1),
    in_range({"motion_percentile", param_type::number, false, "the motion is this percentile of the flow magnitudes, default 99"}, 0, 100),
    in_range({"decay", param_type::number, false, "δ: tracked objects' confidence factor per frame, default 0.98"}, 0, 1),
    {"fast_tracking", param_type::boolean, false, "carry late results to the present frame first (§3.3), default true; false: fuse them as they come"},
    {"decay_on", param_type::string, false, "every-frame (default, as the paper prints it) or moving (only while the scene moves)"},
    in_range({"min_score", param_type::number, false, "tracked objects below this confidence are dropped, default 0.5 (the paper's)"}, 0, 1),
    in_range({"fusion_iou", param_type::number, false, "IoU from which fusion matches two objects, default 0.5 (the paper's)"}, 0, 1),
    {"tracker", param_type::string, false, "csrt (the paper's, default), kcf or flow"},
    in_range({"fast_track_stride", param_type::integer, false, "fast-tracking visits every n-th buffered frame, default 2 (the paper's)"}, 1, 1000),
    in_range({"buffer_frames", param_type::integer, false, "frames kept for fast-tracking, default 150"}, 1, 100000),
    in_range({"edge_timeout_ms", param_type::integer, false, "a frame waits this long for its edge detection, default 1000"}, 1, 3600000),
    in_range({"stats_interval_ms", param_type::integer, false, "the camera's figures go to the sink this often, default 1000"}, 1, 3600000),
  };
  parameters.insert(parameters.end(), own.begin(), own.end());
  return {
    "react-camera",
    "REACT camera: edge detections every k frames fused with asynchronous cloud detections every m, tracked between",
    parameters,
    [](node& n, context ctx, const params& p) {
      return n.system().spawn<caf::detached>(react_camera, std::move(ctx), read_settings(p));
    },
    stop_stage::producer,
  };
}

}  // namespace troupe
