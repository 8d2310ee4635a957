#include "actors/common/detection_sink.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include <caf/all.hpp>

#include "actors/common/detections_check.hpp"
#include "actors/common/final_count_wait.hpp"
#include "actors/common/sink_metrics.hpp"
#include "actors/common/stats_check.hpp"
#include "actors/common/run_report.hpp"
#include "actors/runtime/context.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/text_table.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

struct sink_settings {
  int64_t interval_ms = 1000;
  double slo_ms = 0;
  double slot_s = 0;   // > 0: the report gives the system delay per slot of this length
  std::string report;  // file prefix; empty: the table only
  int64_t final_wait_ms = 2000;  // at its stop, for the final counts still on their way
};

struct sink_state {
  sink_state(const context& ctx, double slo_ms, double slot_s)
      : report(slo_ms, slot_s), books(ctx.name()), metrics(ctx.metrics(), ctx.name(), slo_ms) {}
  run_report report;
  item_books books;
  sink_metrics metrics;
  int64_t started_ns = 0;
  uint64_t frames = 0, detections = 0;  // this interval
  std::vector<double> latency_ms;
};

// Each replica's totals, and what is overloaded in the latest window: saturated
// replicas and cameras behind their frame rate.
std::string replica_summary(const sink_state& s) {
  std::string out;
  for (auto& [name, f] : s.report.replicas()) {
    auto& r = f.stats;
    out += " | " + name + ": " + std::to_string(r.processed()) + " done, " +
           std::to_string(r.dropped_full() + r.dropped_stale() + r.dropped_failed()) + " dropped" +
           (r.overruns() > 0 ? ", " + std::to_string(r.overruns()) + " overruns" : "") +
           (f.last.saturated ? ", SATURATED (" + f.last.why + ")" : "");
  }
  out += books_progress(s.books);
  for (auto& [name, p] : s.report.paces())
    if (p.last.behind)
      out += " | " + name + " BEHIND: " + fixed(p.last.fps) + " of " + fixed(p.last.target_fps) + " fps";
  return out;
}

void print_progress(const context& ctx, sink_state& s) {
  spdlog::info("{} t={:5.1f}s: {} frames, {} detections, latency p50 {:.1f} ms p95 {:.1f} ms{}", ctx.name(),
               (ctx.now_ns() - s.started_ns) / 1e9, s.frames, s.detections, vision::percentile(s.latency_ms, 50),
               vision::percentile(s.latency_ms, 95), replica_summary(s));
  s.frames = s.detections = 0;
  s.latency_ms.clear();
}

void print_report(const context& ctx, sink_state& s, const sink_settings& cfg) {
  double duration_s = (ctx.now_ns() - s.started_ns) / 1e9;
  s.report.set_books(s.books.close());
  log::result(ctx.name() + " run report (" + fixed(duration_s) + " s)\n" + s.report.table(duration_s));
  if (cfg.report.empty())
    return;
  auto written = s.report.write(cfg.report, duration_s);
  for (auto& file : written.files)
    log::result(ctx.name() + " wrote " + file);
  for (auto& why : written.errors)
    spdlog::error("{}: {}", ctx.name(), why);
}

caf::behavior detection_sink(caf::event_based_actor* self, context ctx, sink_settings cfg) {
  auto state = std::make_shared<sink_state>(ctx, cfg.slo_ms, cfg.slot_s);
  state->started_ns = ctx.now_ns();
  ctx.subscribe("replica-stats", caf::actor_cast<caf::actor>(self));
  ctx.subscribe("gpu-stats", caf::actor_cast<caf::actor>(self));
  ctx.subscribe("item-books", caf::actor_cast<caf::actor>(self));
  auto interval = std::chrono::milliseconds(cfg.interval_ms);
  ctx.after(self, interval, tick_atom::value);
  self->attach_functor([=] { print_report(ctx, *state, cfg); });
  wait_for_final_counts(self, [state] { return state->books.complete(); }, std::chrono::milliseconds(cfg.final_wait_ms));
  return {
    [=](const letter& in) {
      if (auto d = in.as<msg::Detections>()) {
        auto now = ctx.now_ns();
        if (auto why = check_detections(*d, window_since(state->started_ns, now))) {
          ctx.refuse(in, *why, "camera '" + d->camera() + "', frame " + std::to_string(d->frame_index()));
          return;
        }
        auto ms = (now - d->capture_time_unix_ns()) / 1e6;
        ++state->frames;
        state->detections += d->boxes_size();
        state->latency_ms.push_back(ms);
        state->metrics.result(d->camera(), ms / 1e3);
        state->report.add_detections(*d, ms, (now - state->started_ns) / 1e9);
        state->books.delivered(d->camera(), in.sender, d->has_items() ? d->items() : 1);
      } else if (auto t = in.as<msg::GroundTruth>()) {
        state->report.add_truth(*t);
      } else if (auto g = in.as<msg::GpuStats>()) {
        state->report.add_gpu(*g);
      } else if (auto r = in.as<msg::ReplicaStats>()) {
        if (auto why = check_replica_stats(*r, in.sender))
          return ctx.refuse(in, *why, "stats of '" + r->replica() + "'");
        state->report.add_replica(*r, (ctx.now_ns() - state->started_ns) / 1e9);
      } else if (auto p = in.as<msg::CameraPace>()) {
        state->report.add_pace(*p);
        state->metrics.pace(*p);
      } else if (auto c = in.as<msg::CameraStats>()) {
        state->report.add_camera_stats(*c);
      } else if (auto b = in.as<msg::ItemBooks>()) {
        if (b->actor() != in.sender)
          return ctx.refuse(in, refusal::forged_sender, "books of '" + b->actor() + "' from '" + in.sender + "'");
        for (auto& receiver : state->books.add(*b))  // what it sent to, the sink watches go down
          ctx.monitor(receiver, caf::actor_cast<caf::actor>(self));
      } else if (auto down = in.as<msg::ActorDown>()) {
        if (down->actor() != in.sender)  // a watch's notice comes in the name of who went down
          return ctx.refuse(in, refusal::forged_sender, "ActorDown of '" + down->actor() + "' from '" + in.sender + "'");
        state->books.down(down->actor(), down->reason());
      } else {
        ctx.refuse(in, refusal::unhandled_type);
      }
    },
    [=](tick_atom) {
      print_progress(ctx, *state);
      ctx.after(self, interval, tick_atom::value);
    },
  };
}

}  // namespace

kind_spec detection_sink_kind() {
  return {
    "sink",
    "prints progress per interval and a run report at the end (latency, SLO misses, accuracy, drops, energy)",
    {
      in_range({"report_interval_ms", param_type::integer, false, "progress period, default 1000"}, 1, 3600000),
      in_range({"slo_ms", param_type::number, false, "end-to-end latency objective; slower frames are SLO misses; default 0 (none)"}, 0, 3600000),
      {"report", param_type::output, false, "file prefix: writes PREFIX.json and PREFIX-latency.png at the end"},
      in_range({"slot_s", param_type::number, false,
       "slot length in seconds: the report adds each slot's system delay, its slowest frame of any camera "
       "(ReMO's eq. 5); default 0 (none)"}, 0, 86400),
      final_wait_param(),
    },
    [](node& n, context ctx, const params& p) {
      sink_settings s;
      s.interval_ms = p.get_int("report_interval_ms", s.interval_ms);
      s.slo_ms = p.get_double("slo_ms", s.slo_ms);
      s.report = p.get_string("report");
      s.slot_s = p.get_double("slot_s", s.slot_s);
      s.final_wait_ms = p.get_int("final_wait_ms", s.final_wait_ms);
      if (s.slot_s < 0)
        throw std::runtime_error("slot_s must not be negative");
      return n.system().spawn(detection_sink, std::move(ctx), s);
    },
    stop_stage::reporter,
  };
}

}  // namespace troupe
