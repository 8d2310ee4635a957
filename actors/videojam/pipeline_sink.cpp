#include "actors/videojam/pipeline_sink.hpp"

#include <set>

#include <caf/all.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "actors/common/final_count_wait.hpp"
#include "actors/common/sink_metrics.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/node.hpp"
#include "actors/videojam/message_checks.hpp"
#include "actors/videojam/pipeline_report.hpp"
#include "troupe/messages/runtime.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

struct pipeline_sink_settings {
  int64_t interval_ms = 1000;
  std::string report;  // file prefix; empty: the table only
  double slo_ms = 0;   // 0: no SLO
  int64_t final_wait_ms = 2000;  // at its stop, for the final counts still on their way
};

// Exits that lose what a replica held: crashes and failed nodes, not stops or the
// end of the run.
bool lost_its_queue(const std::string& reason) {
  return reason != "normal" && reason != "stopped" && reason != "shutdown" && reason != "unknown actor";
}

struct pipeline_sink_state {
  pipeline_sink_state(const context& ctx, double slo_ms)
      : report(slo_ms), books(ctx.name()), metrics(ctx.metrics(), ctx.name(), slo_ms) {}
  pipeline_report report;
  item_books books;
  sink_metrics metrics;
  std::set<std::string> watched;  // replicas and the books' receivers: their going down is news
  int64_t started_ns = 0;
  std::vector<double> interval_ms;  // response times this interval
};

void print_progress(const context& ctx, pipeline_sink_state& s) {
  auto t = s.report.totals();
  spdlog::info("{} t={:5.1f}s: {} results, response p50 {:.0f} ms; loss {:.2f}%, offload {:.2f} MB{}", ctx.name(),
               (ctx.now_ns() - s.started_ns) / 1e9, s.interval_ms.size(), vision::percentile(s.interval_ms, 50),
               100 * t.loss_rate, t.offload_mb, books_progress(s.books));
  s.interval_ms.clear();
}

void print_report(const context& ctx, pipeline_sink_state& s, const pipeline_sink_settings& cfg) {
  double duration_s = (ctx.now_ns() - s.started_ns) / 1e9;
  s.report.set_books(s.books.close());
  auto table = fmt::format("{} run report ({:.1f} s)\n{}", ctx.name(), duration_s, s.report.table(duration_s));
  if (!table.empty() && table.back() == '\n')
    table.pop_back();  // the log ends the record
  log::result(table);
  if (!cfg.report.empty())
    write_and_say(cfg.report + ".json", s.report.json(duration_s).dump(2) + "\n", ctx.name());
}

caf::behavior pipeline_sink(caf::event_based_actor* self, context ctx, pipeline_sink_settings cfg) {
  auto state = std::make_shared<pipeline_sink_state>(ctx, cfg.slo_ms);
  state->started_ns = ctx.now_ns();
  ctx.subscribe("function-stats", caf::actor_cast<caf::actor>(self));
  ctx.subscribe("item-books", caf::actor_cast<caf::actor>(self));
  auto watch = [=](const std::string& actor) {
    if (state->watched.insert(actor).second)
      ctx.monitor(actor, caf::actor_cast<caf::actor>(self));
  };
  auto interval = std::chrono::milliseconds(cfg.interval_ms);
  ctx.after(self, interval, tick_atom::value);
  self->attach_functor([=] { print_report(ctx, *state, cfg); });
  wait_for_final_counts(self, [state] { return state->books.complete(); }, std::chrono::milliseconds(cfg.final_wait_ms));
  return {
    [=](const letter& in) {
      auto now = ctx.now_ns();
      if (auto r = in.as<msg::videojam::PipelineResult>()) {
        if (auto why = videojam::check_result(*r, window_since(state->started_ns, now)))
          return ctx.refuse(in, *why, "camera '" + r->camera() + "'");
        double ms = (now - r->capture_time_unix_ns()) / 1e6;
        state->interval_ms.push_back(ms);
        state->metrics.result(r->camera(), ms / 1e3);
        state->report.add_result(*r, ms, (now - state->started_ns) / 1e9);
        state->books.delivered(r->camera(), in.sender);
      } else if (auto s = in.as<msg::videojam::FunctionStats>()) {
        if (auto why = videojam::check_stats(*s, in.sender))
          return ctx.refuse(in, *why, "stats of '" + s->replica() + "'");
        watch(s->replica());  // a failed replica's queue is counted as lost
        state->report.add_stats(*s);
      } else if (auto b = in.as<msg::ItemBooks>()) {
        if (b->actor() != in.sender)
          return ctx.refuse(in, refusal::forged_sender, "books of '" + b->actor() + "' from '" + in.sender + "'");
        for (auto& receiver : state->books.add(*b))
          watch(receiver);
      } else if (auto down = in.as<msg::ActorDown>()) {
        if (down->actor() != in.sender)  // a watch's notice comes in the name of who went down
          return ctx.refuse(in, refusal::forged_sender, "ActorDown of '" + down->actor() + "' from '" + in.sender + "'");
        state->watched.erase(down->actor());  // watched again once it reports after a restart
        state->books.down(down->actor(), down->reason());
        if (lost_its_queue(down->reason()))
          state->report.replica_down(down->actor());
      }
    },
    [=](tick_atom) {
      print_progress(ctx, *state);
      ctx.after(self, interval, tick_atom::value);
    },
  };
}

}  // namespace

kind_spec pipeline_sink_kind() {
  return {
    "videojam-sink",
    "VideoJam's results: response time, loss rate and offload traffic per replica and overall",
    {
      in_range({"report_interval_ms", param_type::integer, false, "progress period, default 1000"}, 1, 3600000),
      {"report", param_type::output, false, "file prefix: writes PREFIX.json at the end"},
      in_range({"slo_ms", param_type::number, false, "results later than this miss the SLO (counted), default 0: none"}, 0, 3600000),
      final_wait_param(),
    },
    [](node& n, context ctx, const params& p) {
      pipeline_sink_settings s;
      s.interval_ms = p.get_int("report_interval_ms", s.interval_ms);
      s.report = p.get_string("report");
      s.slo_ms = p.get_double("slo_ms", s.slo_ms);
      s.final_wait_ms = p.get_int("final_wait_ms", s.final_wait_ms);
      return n.system().spawn(pipeline_sink, std::move(ctx), s);
    },
    stop_stage::reporter,
  };
}

}  // namespace troupe
