#include "actors/videojam/pipeline_camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/camera_loop.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/node.hpp"
#include "actors/common/pipeline_names.hpp"
#include "troupe/messages/videojam.pb.h"

namespace troupe {

namespace {

struct pipeline_camera_settings {
  camera_source input;
  std::vector<std::string> next;
  bool mobile = false;
};

struct camera_counts {
  uint64_t sent = 0, unrouted = 0, objects = 0;
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

msg::videojam::FunctionStats camera_stats(const context& ctx, const camera_counts& c) {
  msg::videojam::FunctionStats s;
  s.set_replica(ctx.name());
  s.set_function("camera");
  s.set_emitted(c.sent);
  s.set_objects_emitted(c.objects);
  s.set_dropped_unrouted(c.unrouted);
  return s;
}

// A crowd's frame: the objects in view and the frame's size, no image (an emulated
// pipeline costs it by these).
msg::WorkItem crowd_item(const context& ctx, const camera_source& input, const vision::source_frame& frame,
                         int64_t capture_ns) {
  msg::WorkItem w;
  w.set_camera(ctx.name());
  w.set_frame_index(frame.index);
  w.set_capture_time_unix_ns(capture_ns);
  w.set_width(frame.crop.width);
  w.set_height(frame.crop.height);
  w.set_objects(*frame.objects);
  w.set_sink(input.sink);
  return w;
}

// VideoJam's source: each frame, whole, as a work item to the first replica of the
// first function that is up; a frame no replica could take is lost and counted.
class pipeline_frames final : public camera_body {
 public:
  pipeline_frames(context ctx, pipeline_camera_settings cfg, std::shared_ptr<item_ledger> items)
      : ctx_(std::move(ctx)), cfg_(std::move(cfg)), items_(std::move(items)) {}

  bool receivers_up(const context& ctx) const override { return !first_up(ctx, cfg_.next).empty(); }

  bool on_frame(const vision::source_frame& frame, int64_t capture_ns) override {
    auto item = frame.objects ? crowd_item(ctx_, cfg_.input, frame, capture_ns) : pixels_item(frame, capture_ns);
    auto target = first_up(ctx_, cfg_.next);
    auto err = target.empty() ? make_error(errc::no_such_actor, "no replica up") : ctx_.send(target, item);
    items_->produced(ctx_.name());
    items_->handed_on(ctx_.name(), target, err);
    if (err) {
      ++counts_.unrouted;
    } else {
      ++counts_.sent;
      counts_.objects += item.objects();
    }
    if (frame.index % uint64_t(std::max(1.0, cfg_.input.fps)) == 0)
      publish_stats();
    return true;
  }

  void publish_stats() const { ctx_.publish("function-stats", camera_stats(ctx_, counts_)); }

 private:
  msg::WorkItem pixels_item(const vision::source_frame& frame, int64_t capture_ns) const {
    auto whole = cv::Rect(0, 0, frame.image.cols, frame.image.rows);
    return work_item(cfg_.input.region(ctx_, frame, whole, capture_ns, cfg_.input.sink), cfg_.mobile);
  }

  context ctx_;
  pipeline_camera_settings cfg_;
  std::shared_ptr<item_ledger> items_;
  camera_counts counts_;
};

caf::behavior pipeline_camera(caf::event_based_actor* self, context ctx, pipeline_camera_settings cfg) {
  // The pipeline's sink reads the cameras' FunctionStats, not CameraPace.
  auto loop = std::make_shared<camera_loop>(self, ctx, cfg.input, camera_loop_options{false});
  auto body = std::make_shared<pipeline_frames>(ctx, cfg, loop->items());
  self->attach_functor([body] { body->publish_stats(); });
  loop->start();
  return {
    [=](tick_atom) { loop->tick(*body); },
  };
}

}  // namespace

kind_spec pipeline_camera_kind() {
  auto parameters = camera_source_params();
  parameters.push_back({"next", param_type::string, true, "replicas of the first function, comma-separated; the first that is up gets the frames", {"videojam-function"}});
  parameters.push_back({"mobile", param_type::boolean, false, "a mobile camera (its frames skip background subtraction), default false"});
  return {
    "videojam-camera",
    "VideoJam's source: decodes a video or synthetic scene and sends JPEG frames into a pipeline of functions (or a crowd's object counts into an emulated one)",
    parameters,
    [](node& n, context ctx, const params& p) {
      pipeline_camera_settings cfg{read_camera_source(p, ctx.name()), split_names(p.get_string("next")), p.get_bool("mobile", false)};
      cfg.input.truth_to_sink = false;  // the videojam-sink counts results, not boxes
      if (cfg.next.empty())
        throw std::runtime_error("next names no replica");
      return n.system().spawn<caf::detached>(pipeline_camera, std::move(ctx), std::move(cfg));
    },
    stop_stage::producer,
  };
}

}  // namespace troupe
