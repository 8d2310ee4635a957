#include "actors/penance/segment_camera.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <variant>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/decision_metrics.hpp"
#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/chunking.hpp"
#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/replay.hpp"
#include "actors/penance/core/segment_models.hpp"
#include "actors/penance/message_checks.hpp"
#include "actors/penance/segment_labels.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/node.hpp"
#include "troupe/messages/penance.pb.h"
#include "vision/h264_codec.hpp"
#include "vision/segment_frames.hpp"
#include "vision/street_scene.hpp"

namespace troupe {

namespace {

namespace pmsg = msg::penance;
using segment_atom = caf::atom_constant<caf::atom("pnsegment")>;
using decide_atom = caf::atom_constant<caf::atom("pndecide")>;
using upload_atom = caf::atom_constant<caf::atom("pnupload")>;

// How the camera configures each segment, chosen once at spawn (penance.txt §4.1.3):
// one configuration throughout, or the estimator and a trained adapter (Penance's, or
// CASVA-C's, whose state holds an extra encode's size where Penance's holds p).
struct fixed_choice {
  size_t config;
};
struct adapter_choice {
  std::shared_ptr<const penance::bitrate_estimator> estimator;
  std::shared_ptr<const penance::adapter_policy> adapter;
  bool extra_encode;  // CASVA-C
};
using choice = std::variant<fixed_choice, adapter_choice>;

struct camera_settings {
  std::string server, sink;
  vision::street_config drive;
  double segment_s = 1;
  std::vector<int> scored = {0, 7, 14};
  double accuracy_target = 0.65;  // A
  double bandwidth_mbytes = 0.6;  // B, MB/s at 1280×720
  size_t chunk_bytes = 256 * 1024;
  int64_t wait_for_server_ms = 30000;
  std::optional<device_profile> device;  // the decision's and the encoder's times, emulated
  std::string decided_by;
  choice chooser;
};

// The emulated device's times for a decision and an encode (Table 2; the encoder ⚑).
constexpr const char* estimator_model = "penance-estimator";
constexpr const char* adapter_model = "penance-adapter";
constexpr const char* encoder_model = "h264-encode";

class segment_camera_state {
 public:
  segment_camera_state(context ctx, camera_settings cfg)
      : ctx_(std::move(ctx)), cfg_(std::move(cfg)), drive_(cfg_.drive),
        frames_per_segment_(penance::frames_per_segment(cfg_.drive.fps, cfg_.segment_s)),
        pixel_ratio_(penance::paper_pixel_ratio(cfg_.drive.width, cfg_.drive.height)) {
    if (auto* a = std::get_if<adapter_choice>(&cfg_.chooser); a && !a->extra_encode)
      expected_p_ = a->adapter->layout().performance;
  }

  // Whether the segmenter and the sink are up (or the wait is over).
  bool receivers_ready() {
    if (started_ns_ == 0)
      started_ns_ = ctx_.now_ns();
    if (ready_ || (ctx_.knows(cfg_.server) && ctx_.knows(cfg_.sink)))
      return ready_ = true;
    if (ctx_.now_ns() - started_ns_ < cfg_.wait_for_server_ms * 1'000'000)
      return false;
    spdlog::warn("camera {}: {} or {} not up after {} ms; starting anyway", ctx_.name(), cfg_.server, cfg_.sink,
                 cfg_.wait_for_server_ms);
    return ready_ = true;
  }

  // Draws segment i's frames; false at the end of the drive. The segment is whole at
  // the deployment time returned by ready_ns().
  bool take_segment() {
    if (drive_.frames() < (segment_ + 1) * static_cast<size_t>(frames_per_segment_))
      return false;
    if (segment_ == 0)
      origin_ns_ = ctx_.now_ns();
    images_.clear();
    truth_.clear();
    for (int f = 0; f < frames_per_segment_; ++f) {
      auto frame = drive_.next();
      images_.push_back(frame.image);
      truth_.push_back(frame.labels);
    }
    return true;
  }
  int64_t ready_ns() const {
    return origin_ns_ + static_cast<int64_t>(static_cast<double>(segment_ + 1) * cfg_.segment_s * 1e9);
  }

  // Decides and encodes segment i; returns when its upload may start (deployment time).
  int64_t decide_and_encode() {
    decided_ns_ = ctx_.now_ns();
    stale_ = segment_ > 0 && (!seen_ || seen_->segment + 1 != segment_);
    double emulated_ms = 0;
    auto started = std::chrono::steady_clock::now();
    config_ = std::visit([&](auto& c) { return choose(c, emulated_ms); }, cfg_.chooser);
    metrics_.decided(started, double(config_));
    auto setting = space_.setting_at(space_.config_at(config_).setting);
    auto [w, h] = penance::scaled_size(cfg_.drive.width, cfg_.drive.height, setting.scale);
    encoded_ = encode(setting.qp, cv::Size(w, h));
    if (cfg_.device)
      emulated_ms += encode_ms(w, h);
    int64_t emulated_end = decided_ns_ + static_cast<int64_t>(emulated_ms * 1e6);
    return cfg_.device ? std::max(ctx_.now_ns(), emulated_end) : ctx_.now_ns();
  }

  // Uploads segment i in chunks, each cut rather than delivered after the deadline
  // (T after the upload starts, §2.1.2); tells the sink what the segment was.
  void upload() {
    auto start = ctx_.now_ns();
    auto deadline = start + static_cast<int64_t>(cfg_.segment_s * 1e9);
    auto ranges = penance::split_chunks(encoded_.size(), cfg_.chunk_bytes);
    bool cut = false;
    std::string send_failure;
    for (uint32_t k = 0; k < ranges.size() && !cut && send_failure.empty(); ++k) {
      pmsg::SegmentChunk c;
      c.set_camera(ctx_.name());
      c.set_segment(segment_);
      c.set_index(k);
      c.set_count(static_cast<uint32_t>(ranges.size()));
      c.set_total_bytes(encoded_.size());
      c.set_data(encoded_.substr(ranges[k].offset, ranges[k].length));
      c.set_config(static_cast<uint32_t>(config_));
      c.set_sink(cfg_.sink);
      auto err = ctx_.send_by(cfg_.server, std::move(c), deadline);
      cut = is(err, errc::link_cut);
      if (err && !cut) {  // dropped by an uplink, no server, a bus failure: the segment is lost, said so
        send_failure = "chunk " + std::to_string(k) + " not sent: " + describe(err);
        spdlog::warn("camera {}: segment {}: {}", ctx_.name(), segment_, send_failure);
      }
    }
    cuts_ += cut;
    tell_sink(start, cut, send_failure);
    ++segment_;
  }

  // p_{i−1}: the newest result back (§3.3); an older one than the last seen is ignored,
  // and one not from the server or of another size is dropped and counted.
  void on_performance(const letter& in, const pmsg::PerformanceCode& code) {
    if (in.sender != cfg_.server) {
      ++implausible_;
      return ctx_.refuse(in, refusal::unknown_sender, "its results come from '" + cfg_.server + "'");
    }
    if (auto why = penance::check_performance(code, space_.configs(), expected_p_)) {
      ++implausible_;
      return ctx_.refuse(in, *why, "segment " + std::to_string(code.segment()));
    }
    if (seen_ && code.segment() < seen_->segment)
      return;
    seen_ = penance::feedback{code.segment(), code.config()};
    p_.assign(code.p().begin(), code.p().end());
  }

  void log_end() const {
    spdlog::info("camera {}: {} segments, {} cut at their deadline, {} implausible results dropped ({})", ctx_.name(),
                 segment_, cuts_, implausible_, cfg_.decided_by);
  }

 private:
  size_t choose(const fixed_choice& c, double&) const { return c.config; }

  size_t choose(const adapter_choice& c, double& emulated_ms) {
    std::vector<cv::Mat> luma;
    cv::Size half(cfg_.drive.width / 2, cfg_.drive.height / 2);
    for (auto& im : images_)
      luma.push_back(vision::luma_at(im, half));
    auto e = c.estimator->run(luma, penance::costliest_setting(space_));
    auto layout = c.adapter->layout();
    penance::adapter_state s;
    s.accuracy_target = cfg_.accuracy_target;
    s.bandwidth_mbps = cfg_.bandwidth_mbytes;
    s.bitrates_mb = penance::state_sizes(e.bytes, cfg_.segment_s, pixel_ratio_);
    s.performance.assign(layout.performance, 0.0f);
    if (c.extra_encode) {  // CASVA-C: the size of an extra encode says how busy the segment is
      auto cheapest = space_.setting_at(penance::cheapest_setting(space_));
      auto [w, h] = penance::scaled_size(cfg_.drive.width, cfg_.drive.height, cheapest.scale);
      s.performance[0] = static_cast<float>(
          penance::state_mbps(double(encode(cheapest.qp, cv::Size(w, h)).size()), cfg_.segment_s, pixel_ratio_));
      if (cfg_.device)
        emulated_ms += encode_ms(w, h);
    } else if (!p_.empty()) {
      s.performance = p_;
    }
    if (seen_)
      s.last_config = seen_->config;
    s.content = e.content;
    if (cfg_.device)
      emulated_ms += *cfg_.device->inference_ms(estimator_model, 0) + *cfg_.device->inference_ms(adapter_model, 0);
    return c.adapter->choose(penance::flatten(s, layout));
  }

  // The device's encoder on a segment of w × h frames (the profile has it: checked at spawn).
  double encode_ms(int w, int h) const {
    return frames_per_segment_ * *cfg_.device->inference_ms(encoder_model, double(w) * h);
  }

  std::string encode(int qp, cv::Size size) const {
    vision::h264_settings enc;
    enc.qp = qp;
    enc.fps = static_cast<int>(cfg_.drive.fps);
    return vision::encode_h264(vision::scaled_frames(images_, size), enc).bytes;
  }

  void tell_sink(int64_t upload_start, bool cut, const std::string& send_failure) {
    pmsg::SegmentSent s;
    s.set_camera(ctx_.name());
    s.set_segment(segment_);
    s.set_config(static_cast<uint32_t>(config_));
    s.set_accuracy_target(cfg_.accuracy_target);
    s.set_bandwidth_mbps(cfg_.bandwidth_mbytes);
    s.set_bytes(encoded_.size());
    s.set_cut(cut);
    s.set_ready_ns(ready_ns());
    s.set_decided_ns(decided_ns_);
    s.set_upload_start_ns(upload_start);
    s.set_decided_by(cfg_.decided_by);
    s.set_stale(stale_);
    s.set_frames(static_cast<uint32_t>(frames_per_segment_));
    s.set_send_failure(send_failure);
    for (int f : cfg_.scored)
      add_labels(*s.add_truth(), static_cast<uint32_t>(f), truth_[static_cast<size_t>(f)]);
    if (auto err = ctx_.send(cfg_.sink, std::move(s)))
      spdlog::warn("camera {}: segment {} not announced to {}: {}", ctx_.name(), segment_, cfg_.sink, describe(err));
  }

  context ctx_;
  camera_settings cfg_;
  penance::config_space space_;
  vision::street_scene drive_;
  int frames_per_segment_;
  double pixel_ratio_;
  bool ready_ = false;
  bool stale_ = false;  // segment i was decided without segment i−1's result
  int64_t started_ns_ = 0, origin_ns_ = 0, decided_ns_ = 0;
  size_t segment_ = 0, config_ = 0;
  uint64_t cuts_ = 0, implausible_ = 0;
  size_t expected_p_ = 0;  // p's size in the adapter's state; 0: it takes none
  std::vector<cv::Mat> images_, truth_;
  std::string encoded_;
  std::optional<penance::feedback> seen_;
  std::vector<float> p_;
  decision_metrics metrics_{ctx_.metrics(), "penance", ctx_.name()};  // plan size: the configuration's index
};

caf::behavior segment_camera(caf::event_based_actor* self, context ctx, std::shared_ptr<segment_camera_state> s) {
  self->send(self, segment_atom::value);
  auto later = [self, ctx](int64_t at_ns, auto atom) {
    ctx.after(self, std::chrono::nanoseconds(std::max<int64_t>(0, at_ns - ctx.now_ns())), atom);
  };
  auto fail = [self, ctx](const std::exception& e) {
    spdlog::error("camera {}: {}", ctx.name(), e.what());
    self->quit(caf::make_error(caf::sec::runtime_error, e.what()));
  };
  return {
    [=](segment_atom) {
      if (!s->receivers_ready())
        return ctx.after(self, std::chrono::milliseconds(20), segment_atom::value);
      try {
        if (!s->take_segment()) {
          s->log_end();
          return self->quit();
        }
      } catch (const std::exception& e) {
        return fail(e);
      }
      later(s->ready_ns(), decide_atom::value);
    },
    [=](decide_atom) {
      try {
        later(s->decide_and_encode(), upload_atom::value);
      } catch (const std::exception& e) {
        fail(e);
      }
    },
    [=](upload_atom) {
      s->upload();
      self->send(self, segment_atom::value);
    },
    [=](const letter& in) {
      if (auto code = in.as<pmsg::PerformanceCode>())
        s->on_performance(in, *code);
    },
  };
}

std::vector<int> scored_frames(const params& p, int frames) {
  std::vector<int> scored;
  for (auto f : p.has("scored_frames") ? p.get_ints("scored_frames") : std::vector<int64_t>{0, 7, 14}) {
    if (f < 0 || f >= frames)
      throw std::runtime_error("scored_frames: " + std::to_string(f) + " is outside a segment of " +
                               std::to_string(frames) + " frames");
    scored.push_back(static_cast<int>(f));
  }
  return scored;
}

choice read_choice(const params& p, const penance::config_space& space, std::string& decided_by) {
  auto mode = p.get_string("mode", "adapter");
  if (mode == "fixed") {
    auto config = p.get_int("config", 0);
    if (config < 0 || static_cast<size_t>(config) >= space.configs())
      throw std::runtime_error("config: " + std::to_string(config) + " is not one of the " +
                               std::to_string(space.configs()) + " configurations");
    decided_by = "fixed";
    return fixed_choice{static_cast<size_t>(config)};
  }
  if (mode != "adapter")
    throw std::runtime_error("mode: '" + mode + "' is neither adapter nor fixed");
  adapter_choice c{penance::load_estimator(p.get_string("estimator", "build/models/penance-estimator.pt")),
                   penance::load_adapter(p.get_string("adapter", "build/models/penance-adapter.pt")), false};
  if (c.estimator->settings() != space.settings())
    throw std::runtime_error("estimator: it estimates " + std::to_string(c.estimator->settings()) + " settings, the "
                             "space has " + std::to_string(space.settings()));
  auto layout = c.adapter->layout();
  if (layout.configs != space.configs() || layout.settings != space.settings())
    throw std::runtime_error("adapter: it chooses among " + std::to_string(layout.configs) + " configurations of " +
                             std::to_string(layout.settings) + " settings, the space has " +
                             std::to_string(space.configs()) + " of " + std::to_string(space.settings()));
  decided_by = c.adapter->variant();
  c.extra_encode = decided_by == "casva-c";
  return c;
}

camera_settings read_settings(const params& p) {
  camera_settings s;
  s.server = p.get_string("server");
  s.sink = p.get_string("sink");
  s.drive.seed = static_cast<uint64_t>(p.get_int("seed", 1001));
  s.drive.width = static_cast<int>(p.get_int("width", 640));
  s.drive.height = s.drive.width * 9 / 16;
  s.drive.fps = p.get_double("fps", 15);
  s.drive.duration_s = p.get_double("duration_s", 40);
  s.segment_s = p.get_double("segment_s", 1);
  s.accuracy_target = p.get_double("accuracy_target", s.accuracy_target);
  s.bandwidth_mbytes = p.get_double("bandwidth_mbytes", s.bandwidth_mbytes);
  s.chunk_bytes = static_cast<size_t>(p.get_int("chunk_kb", 256)) * 1024;
  s.wait_for_server_ms = p.get_int("wait_for_server_ms", s.wait_for_server_ms);
  int frames = penance::frames_per_segment(s.drive.fps, s.segment_s);  // throws when fps × T is not whole
  if (frames > static_cast<int>(penance::max_segment_frames))  // the sink would refuse every segment
    throw std::runtime_error("fps x segment_s: " + std::to_string(frames) + " frames a segment, at most " +
                             std::to_string(penance::max_segment_frames));
  penance::config_space space;
  for (size_t k = 0; k < space.scales(); ++k)  // throws naming an odd scaled size
    penance::scaled_size(s.drive.width, s.drive.height, space.setting_at(k * space.raw().qps.size()).scale);
  s.scored = scored_frames(p, frames);
  if (s.chunk_bytes == 0 || s.chunk_bytes > 768 * 1024)
    throw std::runtime_error("chunk_kb: chunks of 1 to 768 KB fit an envelope");
  if (!(s.accuracy_target > 0 && s.accuracy_target <= 1) || !(s.bandwidth_mbytes > 0))
    throw std::runtime_error("accuracy_target in (0, 1] and bandwidth_mbytes > 0");
  if (!vision::libx264_available())
    throw std::runtime_error("this libavcodec has no libx264 encoder (Debian's libavcodec59 has)");
  if (p.has("device")) {
    s.device = load_device(p.get_string("profile"), p.get_string("device"));
    for (auto* model : {estimator_model, adapter_model, encoder_model})
      if (!s.device->find(model))
        throw std::runtime_error("device: " + s.device->name + " has no timing of " + model + " in its profile");
  }
  s.chooser = read_choice(p, space, s.decided_by);
  return s;
}

}  // namespace

kind_spec segment_camera_kind() {
  return {
    "segment-camera",
    "Penance's IoT camera: a street drive cut into 1 s segments, each configured (scale, QP, the server's model), "
    "encoded as H.264 and uploaded in chunks that are cut at the segment's deadline",
    {
      {"server", param_type::string, true, "the segmenter it uploads to", {"segmenter"}},
      {"sink", param_type::string, true, "the segment-sink that scores the segments", {"segment-sink"}},
      {"mode", param_type::string, false, "adapter (default: the estimator and a trained adapter choose) or fixed"},
      {"estimator", param_type::path, false, "bitrate estimator, default build/models/penance-estimator.pt"},
      {"adapter", param_type::path, false, "Penance's or CASVA-C's adapter, default build/models/penance-adapter.pt"},
      in_range({"config", param_type::integer, false, "mode fixed: the configuration, setting × 5 + model (default 0)"}, 0, 1000000),
      in_range({"seed", param_type::integer, false, "the drive, default 1001 (the first test drive)"}, 0, 9007199254740992),
      in_range({"width", param_type::integer, false, "frame width; the height is 9/16 of it (default 640)"}, 32, 16384),
      in_range({"fps", param_type::number, false, "default 15"}, 0.01, 1000),
      in_range({"duration_s", param_type::number, false, "the drive's length, default 40"}, 0.001, 86400),
      in_range({"segment_s", param_type::number, false, "T, default 1"}, 0.01, 3600),
      {"scored_frames", param_type::integer_list, false, "frames of a segment the sink scores, default [0, 7, 14]"},
      in_range({"accuracy_target", param_type::number, false, "A, default 0.65"}, 0, 1),
      in_range({"bandwidth_mbytes", param_type::number, false,
       "B in the state, MB/s at 1280x720 (default 0.6; the link should carry B x pixel share x 8 Mbit/s)"}, 0, 100000),
      in_range({"chunk_kb", param_type::integer, false, "chunk size, default 256 (an envelope carries 1 MB)"}, 1, 1024),
      in_range({"wait_for_server_ms", param_type::integer, false, "wait for the segmenter and sink, default 30000"}, 0, 3600000),
      {"device", param_type::string, false, "emulated device (e.g. raspberry-pi-4): penance-estimator, "
                                            "penance-adapter and h264-encode times"},
      {"profile", param_type::path, false, "device profile file"},
    },
    [](node& n, context ctx, const params& p) {
      auto state = std::make_shared<segment_camera_state>(ctx, read_settings(p));
      return n.system().spawn<caf::detached>(segment_camera, std::move(ctx), std::move(state));
    },
    stop_stage::producer,
    [](const YAML::Node& p) { return check_device_params(p); },
  };
}

}  // namespace troupe
