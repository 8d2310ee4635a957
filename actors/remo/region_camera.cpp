#include "actors/remo/region_camera.hpp"

#include <cmath>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "actors/common/box_codec.hpp"
#include "actors/common/camera_loop.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/node.hpp"
#include "actors/remo/region_pipeline.hpp"

namespace troupe {

namespace {

struct region_camera_settings {
  camera_source input;
  region_pipeline_settings pipeline;
  std::string scheduler;  // empty: no plans, every triggered region is detected locally
};

// The books' items are the regions: each one cut is sent to a detector, whose result
// comes back here and is fused into its frame's output to the sink (Detections.items).
void emit(const context& ctx, const std::string& sink, const frame_output& out, region_pipeline& pipe,
          item_ledger& items) {
  msg::Detections d;
  d.set_camera(ctx.name());
  d.set_frame_index(out.frame);
  d.set_capture_time_unix_ns(out.capture_ns);
  d.set_model("fused");
  d.set_region_bytes(out.bytes);
  d.set_tracked_only(!out.detected);
  d.set_items(out.results);
  add_boxes(*d.mutable_boxes(), out.boxes);
  auto err = ctx.send(sink, std::move(d));
  items.handed_on(ctx.name(), sink, err, out.results);
  if (err) {
    spdlog::warn("camera {}: frame {} not sent to {}: {}", ctx.name(), out.frame, sink, caf::to_string(err));
    ++pipe.counters().outputs_unsent;
  }
}

// Encodes and sends the frame's jobs; what the bus refused is counted, not lost silently.
void dispatch(const context& ctx, const region_camera_settings& cfg, region_pipeline& pipe, item_ledger& items,
              const vision::source_frame& frame, const std::vector<region_job>& jobs, int64_t capture_ns) {
  std::vector<region_job> sent;
  uint64_t bytes = 0;
  int refused = 0;
  for (auto& job : jobs) {
    auto region = cfg.input.region(ctx, frame, job.area, capture_ns, ctx.name());
    region.set_region(job.region);
    auto size = region.jpeg().size();
    items.produced(ctx.name());
    auto err = ctx.send(job.detector, std::move(region));
    items.handed_on(ctx.name(), job.detector, err);
    if (err) {
      spdlog::warn("camera {}: frame {} region to {} not sent: {}", ctx.name(), frame.index, job.detector,
                   caf::to_string(err));
      ++refused;
      continue;
    }
    sent.push_back(job);
    bytes += size;
  }
  if (auto out = pipe.dispatched(frame.index, capture_ns, sent, bytes, refused))
    emit(ctx, cfg.input.sink, *out, pipe, items);
}

void print_summary(const context& ctx, const region_pipeline& pipe) {
  auto& c = pipe.counters();
  spdlog::info("{}: {} frames, {} whole frames to the server, {} regions detected locally, {} offloaded, "
               "{} ROIs, {} refused by the bus, {} frames output before all results came ({} results after), "
               "{} outputs and {} slot reports refused by the bus; drift φ {:.3f}",
               ctx.name(), c.frames, c.whole_frames, c.regions_local, c.regions_offloaded, c.rois, c.unsent, c.late,
               c.results_after_output, c.outputs_unsent, c.reports_unsent, pipe.drift());
}

bool everyone_up(const context& ctx, const region_camera_settings& cfg, const region_pipeline& pipe) {
  for (auto& d : pipe.detectors())
    if (!ctx.knows(d))
      return false;
  return cfg.scheduler.empty() || ctx.knows(cfg.scheduler);
}

// ReMO's camera: each frame through the region pipeline, its regions to the
// detectors of the current plan; a frame is output once its regions' results are in.
class region_frames final : public camera_body {
 public:
  region_frames(context ctx, region_camera_settings cfg, std::shared_ptr<item_ledger> items)
      : ctx_(std::move(ctx)), cfg_(std::move(cfg)), pipe_(std::make_shared<region_pipeline>(ctx_.name(), cfg_.pipeline)),
        items_(std::move(items)) {}

  bool receivers_up(const context& ctx) const override { return everyone_up(ctx, cfg_, *pipe_); }

  bool on_frame(const vision::source_frame& frame, int64_t capture_ns) override {
    double dt = last_capture_ns_ ? (capture_ns - *last_capture_ns_) / 1e9 : 0;
    last_capture_ns_ = capture_ns;
    auto step = pipe_->on_frame(frame, dt);
    if (step.report) {  // eq. (4) reads what the network offers this slot
      auto rates = ctx_.offered_rates();
      step.report->set_uplink_mbps(rates.uplink_mbps);
      step.report->set_downlink_mbps(rates.downlink_mbps);
    }
    if (step.report && !cfg_.scheduler.empty() && ctx_.send(cfg_.scheduler, std::move(*step.report)))
      ++pipe_->counters().reports_unsent;
    dispatch(ctx_, cfg_, *pipe_, *items_, frame, step.jobs, capture_ns);
    return true;
  }

  void on_tick() override {
    for (auto& out : pipe_->expire(ctx_.now_ns()))
      emit(ctx_, cfg_.input.sink, out, *pipe_, *items_);
  }

  bool draining() const override { return pipe_->waiting(); }

  void on_letter(const letter& in) {
    if (auto d = in.as<msg::Detections>()) {
      if (!pipe_->awaits(d->frame_index()))
        items_->dropped(ctx_.name(), "result after its frame was output");
      if (auto out = pipe_->on_result(*d))
        emit(ctx_, cfg_.input.sink, *out, *pipe_, *items_);
    } else if (auto plan = in.as<msg::remo::SlotPlan>()) {
      if (in.sender != cfg_.scheduler)  // one SlotPlan from anyone else once steered a camera for good
        ctx_.refuse(in, refusal::unknown_sender, "its plans come from '" + cfg_.scheduler + "'");
      else if (auto why = pipe_->on_plan(*plan))
        ctx_.refuse(in, *why, "slot " + std::to_string(plan->slot()));
    }
  }

  std::shared_ptr<const region_pipeline> pipeline() const { return pipe_; }

 private:
  context ctx_;
  region_camera_settings cfg_;
  std::shared_ptr<region_pipeline> pipe_;
  std::shared_ptr<item_ledger> items_;
  std::optional<int64_t> last_capture_ns_;
};

caf::behavior region_camera(caf::event_based_actor* self, context ctx, region_camera_settings cfg) {
  auto loop = std::make_shared<camera_loop>(self, ctx, cfg.input);
  auto body = std::make_shared<region_frames>(ctx, cfg, loop->items());
  loop->held_by([name = ctx.name(), pipe = body->pipeline()] {
    return std::map<std::string, uint64_t>{{name, pipe->held_results()}};
  });
  self->attach_functor([ctx, pipe = body->pipeline()] { print_summary(ctx, *pipe); });
  loop->start();
  return {
    [=](tick_atom) { loop->tick(*body); },
    [=](const letter& in) { body->on_letter(in); },
  };
}

// `trigger_weights`: the YAML `troupe fit-trigger` writes, { w1: …, w2: … }.
void read_trigger(const params& p, remo::trigger_settings& t) {
  if (p.has("trigger_weights")) {
    auto file = p.get_string("trigger_weights");
    try {
      auto y = YAML::LoadFile(file);
      t.w1 = y["w1"].as<double>();
      t.w2 = y["w2"].as<double>();
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(file + ": " + e.what());
    }
  }
  t.w1 = p.get_double("w1", t.w1);
  t.w2 = p.get_double("w2", t.w2);
  t.q_base = p.get_double("q_base", t.q_base);
  t.q_per_backlog = p.get_double("q_per_backlog", t.q_per_backlog);
}

// s_{i,M} of the camera's own model on its device, for the scheduler's delay model.
void read_timing(const params& p, region_pipeline_settings& s) {
  if (!p.has("device") && !p.has("profile") && !p.has("model"))
    return;
  if (!p.has("device") || !p.has("profile") || !p.has("model"))
    throw std::runtime_error("device, profile and model come together: the camera's device, its profile file and its model");
  auto device = load_device(p.get_string("profile"), p.get_string("device"));
  auto* timing = device.find(p.get_string("model"));
  if (timing == nullptr)
    throw std::runtime_error(p.get_string("profile") + ": device '" + device.name + "' has no timing for model '" +
                             p.get_string("model") + "'");
  s.fixed_s = timing->fixed_ms / 1e3;
  s.s_per_megapixel = timing->ms_per_megapixel / 1e3;
}

region_camera_settings read_settings(const params& p) {
  region_camera_settings s{read_camera_source(p), {}, p.get_string("scheduler")};
  auto& pl = s.pipeline;
  pl.mode = camera_modes().parse(p.get_string("mode", camera_modes().name(pl.mode)));
  pl.regions = regions_from_list(p.get_ints("regions"));
  double slot_s = p.get_double("slot_s", 1.0);
  if (slot_s <= 0)
    throw std::runtime_error("slot_s must be positive");
  pl.frames_per_slot = std::max(1, int(std::lround(slot_s * s.input.fps)));
  read_trigger(p, pl.trigger);
  pl.padding.base_ratio = p.get_double("pad_base", pl.padding.base_ratio);
  pl.padding.perspective_gain = p.get_double("pad_gain", pl.padding.perspective_gain);
  pl.abn_overlap = p.get_double("abn_overlap", pl.abn_overlap);
  pl.tracker = p.get_string("tracker", pl.tracker);
  pl.drift = p.get_double("drift", pl.drift);
  pl.drift_beta = p.get_double("drift_beta", pl.drift_beta);
  pl.ehci_padding = p.get_double("ehci_padding", pl.ehci_padding);
  pl.result_timeout_ms = p.get_int("result_timeout_ms", pl.result_timeout_ms);
  pl.own_detector = p.get_string("detector");
  pl.server_detector = p.get_string("server");
  pl.accuracy = p.get_double("accuracy", pl.accuracy);
  read_timing(p, pl);
  if (!s.scheduler.empty() && pl.s_per_megapixel == 0 && pl.fixed_s == 0)
    throw std::runtime_error("a scheduled camera needs device, profile and model: the scheduler models its delay");
  return s;
}

}  // namespace

kind_spec region_camera_kind() {
  auto parameters = camera_source_params();
  std::vector<param_spec> own = {
    {"detector", param_type::string, true, "the replica on the camera's own device", {"detector"}},
    {"server", param_type::string, true, "the edge server's replica: the first frame of every slot goes there", {"detector"}},
    {"scheduler", param_type::string, false, "the region-scheduler; none: triggered regions are detected locally", {"region-scheduler"}},
    {"mode", param_type::string, false, "dbt (ReMO and the scheduled baselines, default), whole-frame (Offload-Frame: the whole frame whenever a region needs detection) or ehci"},
    {"regions", param_type::integer_list, false, "[x, y, width, height, ...] in view pixels; default one whole-frame region"},
    in_range({"slot_s", param_type::number, false, "slot length in seconds, default 1 (the paper's)"}, 0.01, 3600),
    in_range({"accuracy", param_type::number, false, "a_i of the camera's model for the scheduler, default 0"}, 0, 1),
    {"device", param_type::string, false, "the camera's device in `profile`, for the scheduler's delay model"},
    {"profile", param_type::path, false, "device profile file holding `device`"},
    {"model", param_type::string, false, "the model the camera's replica runs, as named in the profile"},
    in_range({"w1", param_type::number, false, "trigger weight of the optical-flow deviation, default 0.4 (the paper's)"}, 0, 1),
    in_range({"w2", param_type::number, false, "trigger weight of the edge ratio, default 0.3 (the paper's)"}, 0, 1),
    {"trigger_weights", param_type::path, false, "YAML from troupe fit-trigger with w1 and w2"},
    in_range({"q_base", param_type::number, false, "trigger threshold Q on dFlag/dt with an empty delay queue, default 0.5"}, 0, 1000000),
    in_range({"q_per_backlog", param_type::number, false, "Q added per second of delay-queue backlog, default 1"}, 0, 1000000),
    in_range({"pad_base", param_type::number, false, "PPA padding ratio at the top of the frame, default 0.05"}, 0, 1),
    in_range({"pad_gain", param_type::number, false, "PPA padding ratio added at the bottom, default 0.15"}, 0, 1),
    in_range({"abn_overlap", param_type::number, false, "ABN: share of the smaller box that makes two one object, default 0.6"}, 0, 1),
    {"tracker", param_type::string, false, "flow (default), kcf or csrt"},
    in_range({"drift", param_type::number, false, "φ until observed, default 0.9"}, 0, 1),
    in_range({"drift_beta", param_type::number, false, "weight of each new φ observation, default 0.3"}, 0, 1),
    in_range({"ehci_padding", param_type::number, false, "ehci: share of a box's size added on each side, default 0.2"}, 0, 1),
    in_range({"result_timeout_ms", param_type::integer, false, "a frame waits this long for its regions' results, default 2000"}, 1, 3600000),
  };
  parameters.insert(parameters.end(), own.begin(), own.end());
  return {
    "region-camera",
    "ReMO camera: triggered regions detected where the Region Scheduler says, the rest tracked, fused by ABN",
    parameters,
    [](node& n, context ctx, const params& p) {
      return n.system().spawn<caf::detached>(region_camera, std::move(ctx), read_settings(p));
    },
    stop_stage::producer,
    [](const YAML::Node& p) { return check_device_params(p, p["model"] ? p["model"].Scalar() : ""); },
  };
}

}  // namespace troupe
