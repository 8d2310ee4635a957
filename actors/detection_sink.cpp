#include "actors/detection_sink.hpp"

#include <cstdio>
#include <map>

#include <caf/all.hpp>

#include "actors/context.hpp"
#include "actors/node.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

struct sink_state {
  uint64_t frames = 0, detections = 0;
  uint64_t total_frames = 0, total_detections = 0;
  std::vector<double> latency_ms, all_latency_ms;
  std::map<std::string, msg::ReplicaStats> replicas;
  uint64_t intervals = 0;
};

std::string replica_summary(const sink_state& s) {
  std::string out;
  for (auto& [name, r] : s.replicas)
    out += " | " + name + ": " + std::to_string(r.processed()) + " done, " +
           std::to_string(r.dropped_full() + r.dropped_stale() + r.dropped_failed()) + " dropped" +
           (r.overruns() > 0 ? ", " + std::to_string(r.overruns()) + " overruns" : "");
  return out;
}

caf::behavior detection_sink(caf::event_based_actor* self, context ctx, int64_t interval_ms) {
  auto state = std::make_shared<sink_state>();
  ctx.subscribe("replica-stats", caf::actor_cast<caf::actor>(self));
  auto interval = std::chrono::milliseconds(interval_ms);
  ctx.after(self, interval, tick_atom::value);
  self->attach_functor([=, name = ctx.name()] {
    std::printf("%s total: %lu frames, %lu detections, latency p50 %.1f ms p95 %.1f ms%s\n",
                name.c_str(), (unsigned long) state->total_frames,
                (unsigned long) state->total_detections,
                vision::percentile(state->all_latency_ms, 50),
                vision::percentile(state->all_latency_ms, 95), replica_summary(*state).c_str());
    std::fflush(stdout);
  });
  return {
    [=](const letter& in) {
      if (auto d = in.as<msg::Detections>()) {
        auto ms = (ctx.now_ns() - d->capture_time_unix_ns()) / 1e6;
        ++state->frames;
        state->detections += d->boxes_size();
        state->latency_ms.push_back(ms);
        state->all_latency_ms.push_back(ms);
      } else if (auto r = in.as<msg::ReplicaStats>()) {
        state->replicas[r->replica()] = *r;
      }
    },
    [=](tick_atom) {
      ++state->intervals;
      std::printf("%s t=%3lus: %lu frames, %lu detections, latency p50 %.1f ms p95 %.1f ms%s\n",
                  ctx.name().c_str(), (unsigned long) (state->intervals * interval_ms / 1000),
                  (unsigned long) state->frames, (unsigned long) state->detections,
                  vision::percentile(state->latency_ms, 50),
                  vision::percentile(state->latency_ms, 95), replica_summary(*state).c_str());
      std::fflush(stdout);
      state->total_frames += state->frames;
      state->total_detections += state->detections;
      state->frames = state->detections = 0;
      state->latency_ms.clear();
      ctx.after(self, interval, tick_atom::value);
    },
  };
}

}  // namespace

kind_spec detection_sink_kind() {
  return {
    "sink",
    "prints frames, detections and end-to-end latency per interval",
    {
      {"report_interval_ms", param_type::integer, false, "print period, default 1000"},
    },
    [](node& n, context ctx, const params& p) {
      return n.system().spawn(detection_sink, std::move(ctx), p.get_int("report_interval_ms", 1000));
    },
  };
}

}  // namespace troupe
