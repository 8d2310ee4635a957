#include "actors/penance/segment_sink.hpp"

#include <map>
#include <optional>

#include <caf/all.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/penance/core/metrics.hpp"
#include "actors/penance/core/segment_books.hpp"
#include "actors/penance/message_checks.hpp"
#include "actors/penance/segment_labels.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/text_table.hpp"
#include "troupe/messages/penance.pb.h"
#include "vision/percentile.hpp"
#include "vision/segment_frames.hpp"

namespace troupe {

namespace {

namespace pmsg = msg::penance;

// Scores every segment a camera announces against the truth it sent (Figs. 14–15's
// figures, live): mIoU of the scored frames, a fail when under A (a cut or failed
// segment scores 0), the server's MACs; and closes the books at the end.
class sink_state {
 public:
  sink_state(context ctx, std::string report)
      : ctx_(std::move(ctx)), report_(std::move(report)), started_ns_(ctx_.now_ns()),
        books_([](const pmsg::SegmentSent& s) { return s.cut() || !s.send_failure().empty(); }) {}

  void on_sent(const pmsg::SegmentSent& s) { settle(books_.sent(key(s.camera(), s.segment()), s)); }
  void on_labels(const pmsg::SegmentLabels& l) {
    if (l.reference_macs() > 0)
      reference_macs_ = l.reference_macs();
    settle(books_.labelled(key(l.camera(), l.segment()), l));
  }

  int64_t started_ns() const { return started_ns_; }

  void finish() const {
    auto in_flight = books_.in_flight();
    penance::metrics_accumulator m(reference_macs_, frames_);
    for (auto& s : scored_)
      m.add(s.step, s.target);
    auto r = m.result();
    nlohmann::json j;
    j["duration_s"] = (ctx_.now_ns() - started_ns_) / 1e9;       // deployment time, as every sink's report
    j["overall"] = {{"results", scored_.size()}};                 // what a bench checks was processed
    j["segments"] = {{"scored", scored_.size()}, {"delivered", delivered_}, {"cut", cut_}, {"failed", failed_},
                     {"in_flight", in_flight}, {"unannounced_labels", books_.orphans()}};
    j["fail_pct"] = r.fail_pct;
    j["dropped_pct"] = r.dropped_pct;
    j["stale_pct"] = r.stale_pct;
    j["miou"] = {{"p10", r.miou_p10}, {"p25", r.miou_p25}, {"p50", r.miou_p50}};
    j["gmacs_per_segment"] = r.gmacs_per_segment;
    j["upload_delay_ms_p50"] = upload_delay_ms_.empty() ? 0.0 : vision::percentile(upload_delay_ms_, 50);
    j["result_delay_ms_p50"] = result_delay_ms_.empty() ? 0.0 : vision::percentile(result_delay_ms_, 50);
    j["decided_by"] = decided_by_;
    log::result(ctx_.name() + ": " + std::to_string(scored_.size()) + " segments (" + std::to_string(delivered_) +
                " delivered, " + std::to_string(cut_) + " cut, " + std::to_string(failed_) + " failed, " +
                std::to_string(in_flight) + " in flight at the end); fail " + fixed(r.fail_pct) + " %, mIoU p10/" +
                "p25/p50 " + fixed(r.miou_p10, 3) + "/" + fixed(r.miou_p25, 3) + "/" + fixed(r.miou_p50, 3) + ", " +
                fixed(r.gmacs_per_segment, 3) + " GMAC per segment, stale p " + fixed(r.stale_pct) + " % (" +
                decided_by_ + ")");
    if (!report_.empty())
      write_and_say(report_ + ".json", j.dump(2) + "\n", ctx_.name());
  }

 private:
  struct scored {
    penance::replay_step step;
    double target;
  };
  using books = penance::segment_books<pmsg::SegmentSent, pmsg::SegmentLabels>;

  static books::key key(const std::string& camera, uint64_t segment) { return {camera, segment}; }

  void settle(const std::optional<books::settled>& s) {
    if (!s)
      return;
    auto& sent = s->sent;
    decided_by_ = sent.decided_by();
    upload_delay_ms_.push_back((sent.upload_start_ns() - sent.ready_ns()) / 1e6);
    if (sent.frames() > 0)
      frames_ = static_cast<int>(sent.frames());
    scored one{{}, sent.accuracy_target()};
    one.step.segment = sent.segment();
    one.step.config = sent.config();
    one.step.bytes = static_cast<double>(sent.bytes());
    one.step.stale = sent.stale();
    auto why_failed = sent.send_failure().empty() && s->labels ? s->labels->failure() : sent.send_failure();
    if (sent.cut()) {
      ++cut_;  // mIoU 0, cost 0 (⚑, as the replay)
    } else if (why_failed.empty()) {
      try {
        one.step.accuracy = accuracy(sent, *s->labels);
        one.step.delivered = true;
        one.step.cost = s->labels->cost();
        ++delivered_;
        result_delay_ms_.push_back((s->labels->done_ns() - sent.ready_ns()) / 1e6);
      } catch (const std::exception& e) {  // labels that do not decode: a failed segment, scored 0
        why_failed = e.what();
      }
    }
    if (!why_failed.empty()) {
      ++failed_;
      spdlog::warn("{}: {}'s segment {}: {}", ctx_.name(), sent.camera(), sent.segment(), why_failed);
    }
    scored_.push_back(one);
  }

  // The mean mIoU of the scored frames, each prediction brought to its truth's size.
  double accuracy(const pmsg::SegmentSent& sent, const pmsg::SegmentLabels& labels) {
    std::map<uint32_t, cv::Mat> truth;
    for (auto& t : sent.truth())
      truth[t.frame()] = labels_of(t);
    double sum = 0;
    int n = 0;
    for (auto& l : labels.labels()) {
      auto t = truth.find(l.frame());
      if (t == truth.end())
        continue;
      sum += vision::street_miou(vision::labels_at(labels_of(l), t->second.size()), t->second);
      ++n;
    }
    return n > 0 ? sum / n : 0;
  }

  context ctx_;
  std::string report_;
  int64_t started_ns_;
  int frames_ = 15;  // the segments' frames, as the cameras say: the server's MACs count each
  books books_;
  std::vector<scored> scored_;
  uint64_t delivered_ = 0, cut_ = 0, failed_ = 0;
  double reference_macs_ = 0;
  std::vector<double> upload_delay_ms_, result_delay_ms_;  // from a segment's being whole
  std::string decided_by_;
};

caf::behavior segment_sink(caf::event_based_actor* self, context ctx, std::shared_ptr<sink_state> s) {
  self->attach_functor([s] { s->finish(); });
  return {
    [=](const letter& in) {
      try {
        auto window = window_since(s->started_ns(), ctx.now_ns());
        std::optional<refusal> why;
        if (auto sent = in.as<pmsg::SegmentSent>()) {
          if (!(why = penance::check_sent(*sent, in.sender, window)))
            s->on_sent(*sent);
        } else if (auto labels = in.as<pmsg::SegmentLabels>()) {
          if (!(why = penance::check_labels(*labels, window)))
            s->on_labels(*labels);
        }
        if (why)
          ctx.refuse(in, *why);
      } catch (const std::exception& e) {  // labels that do not decode: that letter is dropped, said so
        spdlog::warn("{}: {} from {} dropped: {}", ctx.name(), in.type, in.sender, e.what());
      }
    },
  };
}

}  // namespace

kind_spec segment_sink_kind() {
  return {
    "segment-sink",
    "Penance's judge: scores each segment's labels against the camera's truth (mIoU, fails under A, MACs) and "
    "reports every segment delivered, cut, failed or in flight",
    {
      {"report", param_type::output, false, "file prefix: writes PREFIX.json at the end"},
    },
    [](node& n, context ctx, const params& p) {
      auto state = std::make_shared<sink_state>(ctx, p.get_string("report"));
      return n.system().spawn(segment_sink, std::move(ctx), std::move(state));
    },
    stop_stage::reporter,
  };
}

}  // namespace troupe
