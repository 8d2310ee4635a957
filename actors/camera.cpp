#include "actors/camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/camera_source.hpp"
#include "actors/node.hpp"

namespace troupe {

namespace {

struct camera_settings {
  camera_source input;
  std::string detector;
};

caf::behavior camera(caf::event_based_actor* self, context ctx, camera_settings cfg) {
  std::shared_ptr<vision::frame_source> frames = vision::open_frame_source(cfg.input.source);
  auto sent = std::make_shared<uint64_t>(0);
  auto period = std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(1.0 / cfg.input.fps));
  auto waiting_since = ctx.now_ns();
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      // A replica loading its model is not up yet: frames sent now would be refused.
      if (*sent == 0 && !ctx.knows(cfg.detector) &&
          ctx.now_ns() - waiting_since < cfg.input.wait_for_detector_ms * 1'000'000) {
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
      auto whole = cv::Rect(0, 0, frame->image.cols, frame->image.rows);
      if (auto err = ctx.send(cfg.detector, cfg.input.region(ctx, *frame, whole, next_due, cfg.input.sink)))
        spdlog::warn("camera {}: frame {} not sent: {}", ctx.name(), frame->index, caf::to_string(err));
      auto spent = std::chrono::nanoseconds(ctx.now_ns() - next_due);
      ctx.after(self, std::max<caf::timespan>(caf::timespan{0}, period - spent), tick_atom::value);
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
  };
}

}  // namespace troupe
