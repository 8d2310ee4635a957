#include "actors/penance/segmenter.hpp"

#include <chrono>
#include <map>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/replica_metrics.hpp"
#include "actors/penance/core/chunking.hpp"
#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/segment_models.hpp"
#include "actors/penance/message_checks.hpp"
#include "actors/penance/segment_labels.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/node.hpp"
#include "learning/penance_dataset.hpp"
#include "troupe/messages/penance.pb.h"
#include "vision/h264_codec.hpp"

namespace troupe {

namespace {

namespace pmsg = msg::penance;

struct segmenter_settings {
  std::vector<std::shared_ptr<const penance::edge_model>> models;  // model v at [v]
  std::shared_ptr<const penance::performance_encoder> performance;  // null: no p goes back
  std::vector<int> scored = {0, 7, 14};
};

// The server's side of Penance (§2–3.3): each camera's chunks reassembled; a whole
// segment decoded, its scored frames segmented by the model its configuration names,
// their labels to the sink and p back to the camera; a cut or corrupt one reported to
// the sink as failed (scored 0).
class segmenter_state {
 public:
  segmenter_state(context ctx, segmenter_settings cfg) : ctx_(std::move(ctx)), cfg_(std::move(cfg)) {}

  void on_chunk(const letter& in, const pmsg::SegmentChunk& c) {
    auto why = penance::check_chunk(c, in.sender, space_.configs());
    if (!why && !ctx_.knows(c.sink()))
      why = refusal::out_of_range;  // labels for an actor the directory does not know
    if (why) {
      ++implausible_;  // parsed, but not what its sender may ask for: refused, counted by the node
      return ctx_.refuse(in, *why, "chunk " + std::to_string(c.index()) + " of segment " + std::to_string(c.segment()));
    }
    sinks_[in.sender] = c.sink();
    configs_[in.sender].emplace(c.segment(), c.config());
    penance::chunk k{c.segment(), c.index(), c.count(), c.total_bytes(), c.data()};
    for (auto& done : assemblers_[in.sender].add(std::move(k)))
      finish(in.sender, done);
  }

  // At the end of the run: what is still incomplete was cut.
  void stop() {
    for (auto& [camera, a] : assemblers_)
      if (auto last = a.finish())
        finish(camera, *last);
    uint64_t late = 0;
    for (auto& [camera, a] : assemblers_)
      late += a.late_chunks();
    spdlog::info("segmenter {}: {} segments segmented, {} failed, {} whose labels could not be sent, {} late chunks, "
                 "{} implausible chunks dropped, {} p not computed",
                 ctx_.name(), segmented_, failed_, unsent_, late, implausible_, p_failed_);
  }

 private:
  void finish(const std::string& camera, const penance::assembled& a) {
    auto& configs = configs_[camera];
    uint32_t config = configs[a.segment];
    configs.erase(configs.begin(), configs.upper_bound(a.segment));  // older ones finished already
    pmsg::SegmentLabels out;
    out.set_camera(camera);
    out.set_segment(a.segment);
    out.set_config(config);
    auto t0 = std::chrono::steady_clock::now();
    if (a.outcome != penance::assembly::complete) {
      out.set_failure(a.outcome == penance::assembly::cut ? "cut: chunks missing" : "corrupt: " + a.why);
    } else {
      try {
        segment(a, config, camera, out);
      } catch (const std::exception& e) {  // undecodable bytes or a frame the model refuses
        out.clear_labels();
        out.set_failure(std::string("failed: ") + e.what());
      }
    }
    out.set_compute_ms(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    count(config, out);
    out.set_done_ns(ctx_.now_ns());
    (out.failure().empty() ? segmented_ : failed_) += 1;
    if (auto err = ctx_.send(sinks_[camera], std::move(out))) {
      ++unsent_;
      spdlog::warn("segmenter {}: labels of {}'s segment {} not sent: {}", ctx_.name(), camera, a.segment,
                   describe(err));
    }
  }

  // One segment into the replica metrics of the model its configuration named.
  void count(uint32_t config, const pmsg::SegmentLabels& out) {
    int v = space_.config_at(config).model;
    auto it = metrics_.find(v);
    if (it == metrics_.end())
      it = metrics_.try_emplace(v, ctx_.metrics(), ctx_.name(), "segmenter-v" + std::to_string(v)).first;
    auto& m = it->second;
    m.requests.add();
    if (!out.failure().empty())
      return m.dropped(out.failure().substr(0, out.failure().find(':')));  // cut, corrupt or failed
    m.busy_seconds.add(out.compute_ms() / 1e3);
    m.batch_done(1, out.compute_ms() / 1e3);
  }

  void segment(const penance::assembled& a, uint32_t config, const std::string& camera, pmsg::SegmentLabels& out) {
    auto frames = vision::decode_h264(a.bytes);
    std::vector<cv::Mat> scored;
    for (int f : cfg_.scored) {
      if (static_cast<size_t>(f) >= frames.size())
        throw std::runtime_error("the segment decoded to " + std::to_string(frames.size()) + " frames");
      scored.push_back(frames[static_cast<size_t>(f)]);
    }
    auto c = space_.config_at(config);
    auto& model = *cfg_.models.at(static_cast<size_t>(c.model));
    cv::Size grid = cfg_.performance ? cfg_.performance->grid() : cv::Size(80, 45);
    auto prediction = model.run(scored, grid);
    for (size_t k = 0; k < scored.size(); ++k)
      add_labels(*out.add_labels(), static_cast<uint32_t>(cfg_.scored[k]), prediction.labels[k]);
    // C(r, v) against model 0 on the frame before scaling (§2.1.1).
    double scale = space_.setting_at(c.setting).scale;
    int full_h = static_cast<int>(std::lround(scored[0].rows / scale)),
        full_w = static_cast<int>(std::lround(scored[0].cols / scale));
    double reference = penance::segmenter_macs(cfg_.models[0]->graph(), full_h, full_w);
    out.set_reference_macs(reference);
    out.set_cost(penance::segmenter_macs(model.graph(), scored[0].rows, scored[0].cols) / reference);
    if (cfg_.performance && ctx_.knows(camera))  // a camera whose drive ended wants no more p
      send_p(camera, a.segment, config, prediction.probabilities);
  }

  // p back to the camera; its failure fails no segmentation, but is counted.
  void send_p(const std::string& camera, uint64_t segment, uint32_t config, const std::vector<uint8_t>& probabilities) {
    pmsg::PerformanceCode code;
    code.set_segment(segment);
    code.set_config(config);
    try {
      for (float v : cfg_.performance->run(probabilities))
        code.add_p(v);
    } catch (const std::exception& e) {
      ++p_failed_;
      spdlog::warn("segmenter {}: p of {}'s segment {}: {}", ctx_.name(), camera, segment, e.what());
      return;
    }
    if (auto err = ctx_.send(camera, std::move(code))) {
      ++p_failed_;
      spdlog::warn("segmenter {}: p of segment {} not sent to {}: {}", ctx_.name(), segment, camera, describe(err));
    }
  }


  context ctx_;
  segmenter_settings cfg_;
  penance::config_space space_;
  std::map<std::string, penance::segment_assembler> assemblers_;
  std::map<std::string, std::string> sinks_;
  std::map<std::string, std::map<uint64_t, uint32_t>> configs_;  // each camera's unfinished segments' configurations
  uint64_t segmented_ = 0, failed_ = 0, unsent_ = 0, implausible_ = 0, p_failed_ = 0;
  std::map<int, replica_metrics> metrics_;  // by model v: each segment picks its own
};

caf::behavior segmenter(caf::event_based_actor* self, context ctx, std::shared_ptr<segmenter_state> s) {
  self->attach_functor([s] { s->stop(); });
  return {
    [=](const letter& in) {
      if (auto c = in.as<pmsg::SegmentChunk>())
        s->on_chunk(in, *c);
    },
  };
}

segmenter_settings read_settings(const params& p) {
  segmenter_settings s;
  penance::config_space space;
  auto pattern = p.get_string("models", "build/models/segmenter-{v}.pt");
  if (pattern.find("{v}") == std::string::npos)
    throw std::runtime_error("models: the pattern needs {v}, e.g. build/models/segmenter-{v}.pt");
  for (int v = 0; v < space.models(); ++v) {
    auto path = learning::numbered(pattern, v);
    s.models.push_back(penance::load_edge_model(path));
    if (s.models.back()->classes() != s.models.front()->classes())
      throw std::runtime_error("models: " + path + " has " + std::to_string(s.models.back()->classes()) +
                               " classes, model 0 " + std::to_string(s.models.front()->classes()));
  }
  if (p.has("adapter")) {
    s.performance = penance::load_performance_encoder(p.get_string("adapter"));
    if (s.performance->classes() != s.models.front()->classes())
      throw std::runtime_error("adapter: its performance encoder reads " + std::to_string(s.performance->classes()) +
                               " classes, the models give " + std::to_string(s.models.front()->classes()));
  }
  if (p.has("scored_frames")) {
    s.scored.clear();
    for (auto f : p.get_ints("scored_frames")) {
      if (f < 0)
        throw std::runtime_error("scored_frames: " + std::to_string(f) + " is no frame");
      s.scored.push_back(static_cast<int>(f));
    }
  }
  if (s.scored.empty())
    throw std::runtime_error("scored_frames: at least one frame, the last being the one p is computed from");
  return s;
}

}  // namespace

kind_spec segmenter_kind() {
  return {
    "segmenter",
    "Penance's server: reassembles each camera's H.264 segments, segments the scored frames with the model the "
    "segment's configuration names, sends labels to the sink and the performance embedding p back",
    {
      {"models", param_type::string, false, "edge models 0-4, {v} the number (default build/models/segmenter-{v}.pt)"},
      {"adapter", param_type::path, false, "Penance's adapter, whose performance encoder computes p (none: no p)"},
      {"scored_frames", param_type::integer_list, false, "frames of a segment it segments, default [0, 7, 14]; p "
                                                          "comes from the last"},
    },
    [](node& n, context ctx, const params& p) {
      auto state = std::make_shared<segmenter_state>(ctx, read_settings(p));
      return n.system().spawn<caf::detached>(segmenter, std::move(ctx), std::move(state));
    },
    stop_stage::server,
  };
}

}  // namespace troupe
