#include "actors/common/camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/camera_loop.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/node.hpp"

namespace troupe {

namespace {

struct camera_settings {
  camera_source input;
  std::string detector;
};

// Every frame, whole, to one detector.
class whole_frames final : public camera_body {
 public:
  whole_frames(context ctx, camera_settings cfg, std::shared_ptr<item_ledger> items)
      : ctx_(std::move(ctx)), cfg_(std::move(cfg)), items_(std::move(items)) {}

  bool receivers_up(const context& ctx) const override { return ctx.knows(cfg_.detector); }

  bool on_frame(const vision::source_frame& frame, int64_t capture_ns) override {
    auto whole = cv::Rect(0, 0, frame.image.cols, frame.image.rows);
    items_->produced(ctx_.name());
    auto err = ctx_.send(cfg_.detector, cfg_.input.region(ctx_, frame, whole, capture_ns, cfg_.input.sink));
    items_->handed_on(ctx_.name(), cfg_.detector, err);
    if (err && !warned_) {  // the books count every one
      warned_ = true;
      spdlog::warn("camera {}: frame {} not sent: {} (further ones are only counted)", ctx_.name(), frame.index,
                   describe(err));
    }
    return true;
  }

 private:
  context ctx_;
  camera_settings cfg_;
  std::shared_ptr<item_ledger> items_;
  bool warned_ = false;
};

caf::behavior camera(caf::event_based_actor* self, context ctx, camera_settings cfg) {
  auto loop = std::make_shared<camera_loop>(self, ctx, cfg.input);
  auto body = std::make_shared<whole_frames>(ctx, cfg, loop->items());
  loop->start();
  return {
    [=](tick_atom) { loop->tick(*body); },
  };
}

}  // namespace

kind_spec camera_kind() {
  auto parameters = camera_source_params();
  parameters.push_back({"detector", param_type::string, true, "actor that detects objects in the frames", {"detector"}});
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
