#include "actors/videojam/pipeline_report.hpp"

#include <algorithm>
#include <cstdio>

#include "vision/percentile.hpp"

namespace troupe {

namespace {

void add_counters(msg::videojam::FunctionStats& sum, const msg::videojam::FunctionStats& s) {
  sum.set_arrived(sum.arrived() + s.arrived());
  sum.set_received(sum.received() + s.received());
  sum.set_processed(sum.processed() + s.processed());
  sum.set_dropped_full(sum.dropped_full() + s.dropped_full());
  sum.set_dropped_unrouted(sum.dropped_unrouted() + s.dropped_unrouted());
  sum.set_dropped_lost(sum.dropped_lost() + s.dropped_lost());
  sum.set_dropped_link(sum.dropped_link() + s.dropped_link());
  sum.set_offloaded(sum.offloaded() + s.offloaded());
  sum.set_offload_bytes(sum.offload_bytes() + s.offload_bytes());
  sum.set_control_messages(sum.control_messages() + s.control_messages());
  sum.set_congestion_signals(sum.congestion_signals() + s.congestion_signals());
  sum.set_emitted(sum.emitted() + s.emitted());
  sum.set_overruns(sum.overruns() + s.overruns());
  sum.set_dropped_failed(sum.dropped_failed() + s.dropped_failed());
  sum.set_monitor_reactions(sum.monitor_reactions() + s.monitor_reactions());
  sum.set_prediction_errors(sum.prediction_errors() + s.prediction_errors());
  sum.set_objects_emitted(sum.objects_emitted() + s.objects_emitted());
  sum.set_kept_for_down(sum.kept_for_down() + s.kept_for_down());
  sum.set_plans_applied(sum.plans_applied() + s.plans_applied());
  sum.set_plans_rejected(sum.plans_rejected() + s.plans_rejected());
}

double share_late(const std::vector<double>& response_ms, double slo_ms) {
  if (slo_ms <= 0 || response_ms.empty())
    return 0;
  auto late = std::count_if(response_ms.begin(), response_ms.end(), [&](double ms) { return ms > slo_ms; });
  return double(late) / double(response_ms.size());
}

// A replica's totals over all its lives.
msg::videojam::FunctionStats lifetime(const msg::videojam::FunctionStats& latest, const std::map<std::string, msg::videojam::FunctionStats>& retired) {
  auto sum = latest;
  auto it = retired.find(latest.replica());
  if (it != retired.end())
    add_counters(sum, it->second);
  return sum;
}

}  // namespace

void pipeline_report::add_result(const msg::videojam::PipelineResult& r, double response_ms, double t_s) {
  response_ms_.push_back(response_ms);
  per_second_[int(t_s)].push_back(response_ms);
  objects_per_second_[int(t_s)] += r.objects();
  auto& camera = cameras_[r.camera()];
  camera.response_ms.push_back(response_ms);
  camera.objects += r.objects();
}

void pipeline_report::add_stats(const msg::videojam::FunctionStats& s) {
  auto it = latest_.find(s.replica());
  if (it != latest_.end() && (s.arrived() < it->second.arrived() || s.emitted() < it->second.emitted()))
    add_counters(retired_[s.replica()], it->second);  // it restarted: its counters began again
  latest_[s.replica()] = s;
}

void pipeline_report::replica_down(const std::string& replica) {
  auto it = latest_.find(replica);
  if (it == latest_.end())
    return;
  lost_to_failures_ += it->second.queue_length();
  add_counters(retired_[replica], it->second);
  it->second = msg::videojam::FunctionStats();
  it->second.set_replica(replica);
  it->second.set_function(retired_[replica].function());
}

pipeline_totals pipeline_report::totals() const {
  pipeline_totals t;
  t.results = response_ms_.size();
  t.response_mean_ms = vision::mean(response_ms_);
  t.response_p50_ms = vision::percentile(response_ms_, 50);
  t.response_p95_ms = vision::percentile(response_ms_, 95);
  t.response_p99_ms = vision::percentile(response_ms_, 99);
  t.slo_miss_rate = share_late(response_ms_, slo_ms_);
  for (auto& [camera, c] : cameras_)
    t.objects_delivered += c.objects;
  for (auto& [name, latest] : latest_) {
    auto s = lifetime(latest, retired_);
    if (s.function() == "camera")
      t.objects_offered += s.objects_emitted();
    t.offered += s.arrived() + s.dropped_unrouted();  // unrouted items never arrived anywhere
    t.dropped_full += s.dropped_full();
    t.unrouted += s.dropped_unrouted();
    t.sent_to_lost += s.dropped_lost();
    t.dropped_link += s.dropped_link();
    t.failed += s.dropped_failed();
    t.offload_mb += double(s.offload_bytes()) / 1e6;
    t.offloaded += s.offloaded();
    t.overruns += s.overruns();
    t.processed += s.processed();
    t.control_messages += s.control_messages();
    t.congestion_signals += s.congestion_signals();
    t.monitor_reactions += s.monitor_reactions();
    t.prediction_errors += s.prediction_errors();
    t.dispatch_us_p50 = std::max(t.dispatch_us_p50, latest.dispatch_us_p50());
    t.forecast_us_p50 = std::max(t.forecast_us_p50, latest.forecast_us_p50());
  }
  t.lost_to_failures = lost_to_failures_;
  t.lost = t.dropped_full + t.unrouted + t.sent_to_lost + t.lost_to_failures + t.failed + t.dropped_link;
  t.loss_rate = t.offered > 0 ? double(t.lost) / double(t.offered) : 0.0;
  return t;
}

std::map<std::string, camera_totals> pipeline_report::per_camera() const {
  std::map<std::string, camera_totals> out;
  for (auto& [name, c] : cameras_)
    out[name] = {c.response_ms.size(), c.objects, 0, vision::mean(c.response_ms), vision::percentile(c.response_ms, 95),
                 share_late(c.response_ms, slo_ms_)};
  for (auto& [name, latest] : latest_)
    if (latest.function() == "camera")
      out[name].objects_offered = lifetime(latest, retired_).objects_emitted();
  return out;
}

std::string pipeline_report::table(double duration_s) const {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-14s %-10s %-9s %8s %8s %9s %7s %7s %8s %9s %7s\n", "replica", "function",
                "balancer", "arrived", "received", "processed", "dropped", "queue", "offload", "offload MB", "mu/slot");
  out += line;
  uint64_t frames = 0, unrouted_frames = 0;
  for (auto& [name, latest] : latest_) {
    auto s = lifetime(latest, retired_);
    if (s.function() == "camera") {  // sources: counted below the replicas
      frames += s.emitted();
      unrouted_frames += s.dropped_unrouted();
      continue;
    }
    std::snprintf(line, sizeof(line), "%-14s %-10s %-9s %8lu %8lu %9lu %7lu %7u %8lu %9.2f %7.1f\n", name.c_str(),
                  s.function().c_str(), s.balancer().c_str(), (unsigned long) s.arrived(), (unsigned long) s.received(),
                  (unsigned long) s.processed(),
                  (unsigned long) (s.dropped_full() + s.dropped_unrouted() + s.dropped_lost() + s.dropped_link()), latest.queue_length(),
                  (unsigned long) s.offloaded(), s.offload_bytes() / 1e6, latest.mu());
    out += line;
  }
  std::snprintf(line, sizeof(line), "cameras: %lu frames sent, %lu with no replica up to take them\n",
                (unsigned long) frames, (unsigned long) unrouted_frames);
  out += line;
  auto t = totals();
  std::snprintf(line, sizeof(line),
                "overall (%.0f s): %lu results, response time mean %.0f ms p50 %.0f p95 %.0f; loss %.2f%% "
                "(%lu of %lu items: %lu full queue, %lu unrouted, %lu to lost replicas, %lu in failed replicas, %lu failed, "
                "%lu dropped by uplinks); "
                "offload %.2f MB; dispatcher %.0f us, forecasts %.0f us per window (p50), %lu plans remade in a window; "
                "%lu of %lu items overran "
                "their device profile\n",
                duration_s, (unsigned long) t.results, t.response_mean_ms, t.response_p50_ms, t.response_p95_ms,
                100 * t.loss_rate, (unsigned long) t.lost, (unsigned long) t.offered, (unsigned long) t.dropped_full,
                (unsigned long) t.unrouted, (unsigned long) t.sent_to_lost, (unsigned long) t.lost_to_failures,
                (unsigned long) t.failed, (unsigned long) t.dropped_link, t.offload_mb, t.dispatch_us_p50, t.forecast_us_p50,
                (unsigned long) t.monitor_reactions, (unsigned long) t.overruns,
                (unsigned long) t.processed);
  out += line;
  if (slo_ms_ > 0) {
    std::snprintf(line, sizeof(line), "SLO %.0f ms: %.2f%% of results missed it; response p99 %.0f ms\n", slo_ms_,
                  100 * t.slo_miss_rate, t.response_p99_ms);
    out += line;
  }
  if (t.objects_offered > 0) {
    std::snprintf(line, sizeof(line), "objects: %.1f/s delivered of %.1f/s offered (%.1f%% of ideal)\n",
                  double(t.objects_delivered) / duration_s, double(t.objects_offered) / duration_s,
                  100.0 * double(t.objects_delivered) / double(t.objects_offered));
    out += line;
  }
  return out + books_table(books_);
}

nlohmann::json pipeline_report::json(double duration_s) const {
  auto t = totals();
  nlohmann::json j;
  j["duration_s"] = duration_s;
  j["slo_ms"] = slo_ms_;
  j["overall"] = {{"results", t.results},
                  {"response_ms",
                   {{"mean", t.response_mean_ms}, {"p50", t.response_p50_ms}, {"p95", t.response_p95_ms}, {"p99", t.response_p99_ms}}},
                  {"slo_miss_rate", t.slo_miss_rate},
                  {"objects_delivered", t.objects_delivered},
                  {"objects_offered", t.objects_offered},
                  {"objects_per_s", double(t.objects_delivered) / duration_s},
                  {"ideal_objects_per_s", double(t.objects_offered) / duration_s},
                  {"offered", t.offered},
                  {"lost", t.lost},
                  {"dropped_full", t.dropped_full},
                  {"unrouted", t.unrouted},
                  {"sent_to_lost", t.sent_to_lost},
                  {"dropped_link", t.dropped_link},
                  {"failed", t.failed},
                  {"lost_to_failures", t.lost_to_failures},
                  {"loss_rate", t.loss_rate},
                  {"offload_mb", t.offload_mb},
                  {"offloaded", t.offloaded},
                  {"overruns", t.overruns},
                  {"processed", t.processed},
                  {"control_messages", t.control_messages},
                  {"congestion_signals", t.congestion_signals},
                  {"monitor_reactions", t.monitor_reactions},
                  {"prediction_errors", t.prediction_errors},
                  {"dispatch_us_p50", t.dispatch_us_p50},
                  {"forecast_us_p50", t.forecast_us_p50}};
  for (auto& [name, latest] : latest_) {
    auto s = lifetime(latest, retired_);
    j["replicas"][name] = {{"function", s.function()}, {"arrived", s.arrived()}, {"received", s.received()},
                           {"processed", s.processed()}, {"dropped_full", s.dropped_full()},
                           {"unrouted", s.dropped_unrouted()}, {"offloaded", s.offloaded()},
                           {"offload_bytes", s.offload_bytes()}, {"mu", latest.mu()},
                           {"queue_length", latest.queue_length()},
                           {"congestion_signals", s.congestion_signals()}, {"prediction_errors", s.prediction_errors()},
                           {"received_since_start", latest.received()}, {"restarted", retired_.count(name) > 0},
                           {"dropped_lost", s.dropped_lost()}, {"kept_for_down", s.kept_for_down()},
                           {"plans_applied", s.plans_applied()}, {"plans_rejected", s.plans_rejected()}};
  }
  for (auto& [name, c] : per_camera())
    j["cameras"][name] = {{"results", c.results}, {"objects_delivered", c.objects_delivered},
                          {"objects_offered", c.objects_offered}, {"response_mean_ms", c.response_mean_ms},
                          {"response_p95_ms", c.response_p95_ms}, {"slo_miss_rate", c.slo_miss_rate}};
  for (auto& [second, values] : per_second_)
    j["timeline"].push_back({{"t_s", second}, {"response_mean_ms", vision::mean(values)}, {"results", values.size()},
                             {"objects", objects_per_second_.at(second)}});
  if (!books_.empty())
    j["books"] = books_json(books_);
  return j;
}

}  // namespace troupe
