#include "actors/videojam/pipeline_camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/camera_source.hpp"
#include "actors/runtime/node.hpp"
#include "actors/videojam/pipeline_names.hpp"
#include "troupe/messages/videojam.pb.h"

namespace troupe {

namespace {

struct pipeline_camera_settings {
  camera_source input;
  std::vector<std::string> next;
  bool mobile = false;
};

struct camera_counts {
  uint64_t sent = 0, unrouted = 0;
};

msg::WorkItem work_item(const msg::Region& r, bool mobile) {
  msg::WorkItem w;
  w.set_camera(r.camera());
  w.set_frame_index(r.frame_index());
  w.set_capture_time_unix_ns(r.capture_time_unix_ns());
  w.set_width(r.width());
  w.set_height(r.height());
  w.set_jpeg(r.jpeg());
  w.set_sink(r.reply_to());
  w.set_whole_frame_source(mobile);
  return w;
}

msg::FunctionStats camera_stats(const context& ctx, const camera_counts& c) {
  msg::FunctionStats s;
  s.set_replica(ctx.name());
  s.set_function("camera");
  s.set_emitted(c.sent);
  s.set_dropped_unrouted(c.unrouted);
  return s;
}

caf::behavior pipeline_camera(caf::event_based_actor* self, context ctx, pipeline_camera_settings cfg) {
  std::shared_ptr<vision::frame_source> frames = vision::open_frame_source(cfg.input.source);
  auto counts = std::make_shared<camera_counts>();
  auto waiting_since = ctx.now_ns();
  self->send(self, tick_atom::value);
  self->attach_functor([=] { ctx.publish("function-stats", camera_stats(ctx, *counts)); });
  return {
    [=](tick_atom) {
      auto target = first_up(ctx, cfg.next);
      if (cfg.input.hold_first_frame(ctx, counts->sent, !target.empty(), waiting_since)) {
        ctx.after(self, std::chrono::milliseconds(20), tick_atom::value);
        return;
      }
      auto taken = ctx.now_ns();
      auto frame = cfg.input.next(*frames, ctx, counts->sent + counts->unrouted);
      if (!frame) {
        spdlog::info("camera {}: end of source after {} frames", ctx.name(), counts->sent);
        self->quit();
        return;
      }
      auto whole = cv::Rect(0, 0, frame->image.cols, frame->image.rows);
      auto item = work_item(cfg.input.region(ctx, *frame, whole, taken, cfg.input.sink), cfg.mobile);
      if (target.empty() || ctx.send(target, item))
        ++counts->unrouted;  // no replica of the first function is up: the frame is lost, counted
      else
        ++counts->sent;
      if (frame->index % uint64_t(std::max(1.0, cfg.input.fps)) == 0)
        ctx.publish("function-stats", camera_stats(ctx, *counts));
      ctx.after(self, cfg.input.until_next_frame(ctx, taken), tick_atom::value);
    },
  };
}

}  // namespace

kind_spec pipeline_camera_kind() {
  auto parameters = camera_source_params();
  parameters.push_back({"next", param_type::string, true, "replicas of the first function, comma-separated; the first that is up gets the frames"});
  parameters.push_back({"mobile", param_type::boolean, false, "a mobile camera (its frames skip background subtraction), default false"});
  return {
    "pipeline-camera",
    "VideoJam's source: decodes a video or synthetic scene and sends JPEG frames into a pipeline of functions",
    parameters,
    [](node& n, context ctx, const params& p) {
      pipeline_camera_settings cfg{read_camera_source(p), split_names(p.get_string("next")), p.get_bool("mobile", false)};
      if (cfg.next.empty())
        throw std::runtime_error("next names no replica");
      return n.system().spawn<caf::detached>(pipeline_camera, std::move(ctx), std::move(cfg));
    },
    stop_stage::producer,
  };
}

}  // namespace troupe
