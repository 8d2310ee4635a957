#include "actors/common/camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/camera_source.hpp"
#include "actors/runtime/node.hpp"

namespace troupe {

namespace {

struct camera_settings {
  camera_source input;
  std::string detector;
};

caf::behavior camera(caf::event_based_actor* self, context ctx, camera_settings cfg) {
  std::shared_ptr<vision::frame_source> frames = vision::open_frame_source(cfg.input.source);
  auto sent = std::make_shared<uint64_t>(0);
  auto pace = std::make_shared<pace_meter>();
  auto waiting_since = ctx.now_ns();
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      if (cfg.input.hold_first_frame(ctx, *sent, ctx.knows(cfg.detector), waiting_since)) {
        ctx.after(self, std::chrono::milliseconds(20), tick_atom::value);
        return;
      }
      auto next_due = ctx.now_ns();
      std::optional<vision::source_frame> frame;
      try {
        frame = cfg.input.next(*frames, ctx, *sent);
      } catch (const std::exception& e) {
        spdlog::error("camera {}: {}", ctx.name(), e.what());
        self->quit(caf::make_error(caf::sec::runtime_error, e.what()));
        return;
      }
      if (!frame) {
        spdlog::info("camera {}: end of source after {} frames", ctx.name(), *sent);
        self->quit();
        return;
      }
      ++*sent;
      if (auto p = pace->frame_taken(ctx.name(), cfg.input.fps, next_due))
        ctx.send(cfg.input.sink, std::move(*p));
      auto whole = cv::Rect(0, 0, frame->image.cols, frame->image.rows);
      if (auto err = ctx.send(cfg.detector, cfg.input.region(ctx, *frame, whole, next_due, cfg.input.sink)))
        spdlog::warn("camera {}: frame {} not sent: {}", ctx.name(), frame->index, caf::to_string(err));
      ctx.after(self, cfg.input.until_next_frame(ctx, next_due), tick_atom::value);
    },
  };
}

}  // namespace

kind_spec camera_kind() {
  auto parameters = camera_source_params();
  parameters.push_back({"detector", param_type::string, true, "actor that detects objects in the frames"});
  return {
    "camera",
    "reads a video or synthetic scene, sends JPEG frames to a detector (and ground truth to the sink)",
    parameters,
    [](node& n, context ctx, const params& p) {
      camera_settings settings{read_camera_source(p), p.get_string("detector")};
      return n.system().spawn<caf::detached>(camera, std::move(ctx), std::move(settings));
    },
    stop_stage::producer,
  };
}

}  // namespace troupe
