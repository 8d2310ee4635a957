#include "actors/camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/context.hpp"
#include "actors/node.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/jpeg_codec.hpp"
#include "vision/video_source.hpp"

namespace troupe {

namespace {

struct camera_settings {
  vision::video_view view;
  double fps = 10;
  std::string detector, sink;
  int64_t max_frames = 0;
  int jpeg_quality = 90;
};

caf::behavior camera(caf::event_based_actor* self, context ctx, camera_settings cfg) {
  auto source = std::make_shared<vision::video_source>(cfg.view);
  auto period = std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(1.0 / cfg.fps));
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      auto next_due = ctx.now_ns();
      auto frame = source->next();
      if (!frame || (cfg.max_frames > 0 && source->frames_read() > uint64_t(cfg.max_frames))) {
        spdlog::info("camera {}: end of source after {} frames", ctx.name(), source->frames_read() - (frame ? 1 : 0));
        self->quit();
        return;
      }
      msg::Region region;
      region.set_camera(ctx.name());
      region.set_frame_index(source->frames_read() - 1);
      region.set_capture_time_unix_ns(next_due);
      region.set_width(frame->cols);
      region.set_height(frame->rows);
      region.set_jpeg(vision::encode_jpeg(*frame, cfg.jpeg_quality));
      region.set_reply_to(cfg.sink);
      if (auto err = ctx.send(cfg.detector, std::move(region)))
        spdlog::warn("camera {}: frame {} not sent: {}", ctx.name(), source->frames_read() - 1,
                     caf::to_string(err));
      auto spent = std::chrono::nanoseconds(ctx.now_ns() - next_due);
      ctx.after(self, std::max<caf::timespan>(caf::timespan{0}, period - spent), tick_atom::value);
    },
  };
}

camera_settings read_settings(const params& p) {
  camera_settings s;
  s.view.path = p.get_string("source");
  s.view.start_frame = static_cast<int>(p.get_int("start_frame", 0));
  s.view.loop = p.get_bool("loop", false);
  auto crop = p.get_ints("crop");
  if (!crop.empty()) {
    if (crop.size() != 4)
      throw std::runtime_error("crop needs [x, y, width, height]");
    s.view.crop = cv::Rect(int(crop[0]), int(crop[1]), int(crop[2]), int(crop[3]));
  }
  s.fps = p.get_double("fps", 10);
  if (s.fps <= 0)
    throw std::runtime_error("fps must be positive");
  s.detector = p.get_string("detector");
  s.sink = p.get_string("sink");
  s.max_frames = p.get_int("max_frames", 0);
  s.jpeg_quality = static_cast<int>(p.get_int("jpeg_quality", 90));
  return s;
}

}  // namespace

kind_spec camera_kind() {
  return {
    "camera",
    "reads a video and sends JPEG regions to a detector",
    {
      {"source", param_type::string, true, "path of a video file or of a folder of images"},
      {"detector", param_type::string, true, "actor that detects objects in the regions"},
      {"sink", param_type::string, true, "actor that receives the detections"},
      {"fps", param_type::number, false, "frames per second, default 10"},
      {"crop", param_type::integer_list, false, "[x, y, width, height] of the view, default whole frame"},
      {"start_frame", param_type::integer, false, "frames skipped at start, default 0"},
      {"loop", param_type::boolean, false, "start over at the end, default false"},
      {"max_frames", param_type::integer, false, "stop after this many frames, default 0 (all)"},
      {"jpeg_quality", param_type::integer, false, "JPEG quality 0-100, default 90"},
    },
    [](node& n, context ctx, const params& p) {
      auto settings = read_settings(p);
      vision::video_source probe(settings.view);  // fail here, naming file and actor
      return n.system().spawn<caf::detached>(camera, std::move(ctx), std::move(settings));
    },
  };
}

}  // namespace troupe
