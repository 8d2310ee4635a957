#include "actors/common/run_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "actors/common/box_codec.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/text_table.hpp"
#include "vision/percentile.hpp"

namespace troupe {

void run_report::add_replica(const msg::ReplicaStats& stats, double at_s) {
  auto [it, fresh] = replicas_.try_emplace(stats.replica());
  auto& r = it->second;
  r.last = replica_window(fresh ? msg::ReplicaStats{} : r.stats, stats, (at_s - (fresh ? 0 : r.at_s)) * 1e3);
  ++r.windows;
  r.saturated_windows += r.last.saturated ? 1 : 0;
  r.peak_utilisation = std::max(r.peak_utilisation, r.last.utilisation);
  r.stats = stats;
  r.at_s = at_s;
}

void run_report::add_pace(const msg::CameraPace& pace) {
  cameras_[pace.camera()];  // listed even when none of its frames came back
  auto& p = paces_[pace.camera()];
  p.last = pace_of(pace);
  ++p.windows;
  p.behind_windows += p.last.behind ? 1 : 0;
  p.frames += pace.frames();
  p.seconds += pace.window_s();
}

namespace {

// Frames waiting for their counterpart (truth for detections, or the other way round)
// are kept for the latest `unscored_frames` of a camera: a dropped frame's truth never
// finds its detections, and real video has no truth at all.
constexpr size_t unscored_frames = 1024;

std::map<uint64_t, std::vector<vision::detection>>& keep_recent(
    std::map<uint64_t, std::vector<vision::detection>>& waiting) {
  while (waiting.size() >= unscored_frames)
    waiting.erase(waiting.begin());
  return waiting;
}

}  // namespace

void latency_series::add(double at_s, double latency_ms) {
  if (frames_++ % stride_ != 0)  // every stride-th frame: the kept ones stay evenly spaced
    return;
  points_.emplace_back(at_s, latency_ms);
  if (points_.size() < max_points_)
    return;
  size_t kept = 0;
  for (size_t i = 0; i < points_.size(); i += 2)
    points_[kept++] = points_[i];
  points_.resize(kept);
  stride_ *= 2;
}

void run_report::add_truth(const msg::GroundTruth& truth) {
  auto& c = cameras_[truth.camera()];
  ++c.truth_frames;
  auto boxes = detections_of(truth.boxes());
  auto waiting = c.unscored_detections.find(truth.frame_index());
  if (waiting == c.unscored_detections.end()) {
    keep_recent(c.unscored_truth)[truth.frame_index()] = std::move(boxes);
    return;
  }
  score(c, waiting->second, boxes);
  c.unscored_detections.erase(waiting);
}

void run_report::add_detections(const msg::Detections& d, double latency_ms, double at_s) {
  auto& c = cameras_[d.camera()];
  ++c.frames;
  c.detections += d.boxes_size();
  c.bytes += d.region_bytes();
  c.latency_ms.add(latency_ms);
  if (!d.tracked_only())
    c.detected_latency_ms.add(latency_ms);
  c.latency_series.add(at_s, latency_ms);
  if (slo_ms_ > 0 && latency_ms > slo_ms_)
    ++c.slo_misses;
  if (slot_s_ > 0) {
    auto& slowest = slot_delay_ms_[int64_t(std::floor((at_s - latency_ms / 1e3) / slot_s_))];
    slowest = std::max(slowest, latency_ms);
  }
  auto found = detections_of(d.boxes());
  auto truth = c.unscored_truth.find(d.frame_index());
  if (truth == c.unscored_truth.end()) {
    keep_recent(c.unscored_detections)[d.frame_index()] = std::move(found);
    return;
  }
  score(c, found, truth->second);
  c.unscored_truth.erase(truth);
}

void run_report::score(camera& c, const std::vector<vision::detection>& found,
                       const std::vector<vision::detection>& truth) {
  ++c.scored_frames;
  c.counts += vision::match_frame(found, truth);
  c.map.add_frame(found, truth);
  all_map_.add_frame(found, truth);
}

nlohmann::json run_report::to_json(double duration_s) const {
  nlohmann::json out;
  out["duration_s"] = duration_s;
  out["slo_ms"] = slo_ms_;
  vision::sample_summary all_latency, detected_latency;
  vision::match_counts all_counts;
  uint64_t all_frames = 0, all_bytes = 0, truth_frames = 0;
  for (auto& [name, c] : cameras_) {
    all_latency.merge(c.latency_ms);
    detected_latency.merge(c.detected_latency_ms);
    all_counts += c.counts;
    all_frames += c.frames;
    all_bytes += c.bytes;
    truth_frames += c.truth_frames;
    nlohmann::json j;
    j["frames"] = c.frames;
    j["detections"] = c.detections;
    j["throughput_fps"] = duration_s > 0 ? c.frames / duration_s : 0;
    j["latency_ms"] = {{"mean", c.latency_ms.mean()},
                       {"p50", c.latency_ms.percentile(50)},
                       {"p95", c.latency_ms.percentile(95)},
                       {"p99", c.latency_ms.percentile(99)}};
    j["slo_misses"] = c.slo_misses;
    j["bytes"] = c.bytes;
    if (c.truth_frames > 0) {
      j["accuracy"] = {{"scored_frames", c.scored_frames},
                       {"frames_without_result", c.truth_frames - c.scored_frames},
                       {"precision", c.counts.precision()},
                       {"recall", c.counts.recall()},
                       {"f1", c.counts.f1()},
                       {"map50", c.map.mean_average_precision()}};
    }
    if (auto p = paces_.find(name); p != paces_.end()) {
      auto& f = p->second;
      j["pace"] = {{"target_fps", f.last.target_fps},
                   {"fps", f.seconds > 0 ? f.frames / f.seconds : 0},
                   {"frames", f.frames},  // taken by the camera, in its whole pace windows
                   {"windows", f.windows},
                   {"behind_windows", f.behind_windows}};
    }
    if (!c.stats.kind().empty()) {
      j["kind"] = c.stats.kind();
      for (auto& [figure, value] : c.stats.figures())
        j["figures"][figure] = value;
    }
    out["cameras"][name] = j;
  }
  std::vector<double> loads;
  for (auto& [name, f] : replicas_) {
    auto& r = f.stats;
    out["replicas"][name] = {{"device", r.device()},
                             {"processed", r.processed()},
                             {"batches", r.batches()},
                             {"dropped_full", r.dropped_full()},
                             {"dropped_stale", r.dropped_stale()},
                             {"dropped_failed", r.dropped_failed()},
                             {"overruns", r.overruns()},
                             {"busy_ms", r.busy_ms()},
                             {"energy_j", r.energy_j()},
                             {"windows", f.windows},
                             {"saturated_windows", f.saturated_windows},
                             {"peak_utilisation", f.peak_utilisation}};
    if (!r.gpu().empty()) {
      out["replicas"][name]["gpu"] = r.gpu();
      out["replicas"][name]["gpu_drop_mean"] = r.gpu_drop_mean();  // its last interval's
    }
    loads.push_back(duration_s > 0 ? r.busy_ms() / 1e3 / duration_s : 0);
  }
  out["load_balance_index"] = vision::load_balance_index(loads);
  for (auto& [where, g] : gpus_)
    out["gpus"][where] = {{"arch", g.arch()},
                          {"busy_ms", g.busy_ms()},
                          {"utilisation", duration_s > 0 ? std::min(1.0, g.busy_ms() / 1e3 / duration_s) : 0.0},
                          {"inferences", g.inferences()},
                          {"replicas", g.replicas()},
                          {"memory_used_mb", g.memory_used_mb()},
                          {"memory_mb", g.memory_mb()}};
  double energy = 0;
  for (auto& [name, f] : replicas_)
    energy += f.stats.energy_j();
  // Every camera together: what a comparison of policies reads.
  out["overall"] = {{"frames", all_frames},
                    {"bytes", all_bytes},
                    {"latency_ms", {{"mean", all_latency.mean()},
                                    {"p50", all_latency.percentile(50)},
                                    {"p95", all_latency.percentile(95)}}},
                    // Frames tracking alone answered are output at once: who detects less looks faster
                    // over all frames, so the frames a detector's result reached are measured apart.
                    {"detected_latency_ms", {{"frames", detected_latency.count()},
                                             {"mean", detected_latency.mean()},
                                             {"p50", detected_latency.percentile(50)},
                                             {"p95", detected_latency.percentile(95)}}},
                    {"energy_j", energy}};
  if (slot_s_ > 0) {
    std::vector<double> per_slot;
    for (auto& [slot, ms] : slot_delay_ms_)
      per_slot.push_back(ms);
    out["overall"]["system_delay_ms"] = {{"slot_s", slot_s_},
                                         {"slots", per_slot.size()},
                                         {"mean", vision::mean(per_slot)},
                                         {"p95", vision::percentile(per_slot, 95)}};
  }
  if (!books_.empty())
    out["books"] = books_json(books_);
  if (truth_frames > 0) {
    out["overall"]["f1"] = all_counts.f1();
    out["overall"]["map50"] = all_map_.mean_average_precision();
  }
  return out;
}

std::string run_report::table(double duration_s) const {
  auto j = to_json(duration_s);
  text_table cams({"camera", "frames", "boxes", "fps", "pace", "p50 ms", "p95 ms", "p99 ms", "SLO miss", "MB", "F1",
                   "mAP50"});
  for (auto& [name, c] : j["cameras"].items()) {
    auto acc = c.contains("accuracy");
    std::string pace = "-";
    if (c.contains("pace")) {
      auto& p = c["pace"];
      pace = fixed(p["fps"]) + "/" + fixed(p["target_fps"]);
      if (p["behind_windows"].get<uint64_t>() > 0)
        pace += " behind " + std::to_string(p["behind_windows"].get<uint64_t>()) + "/" +
                std::to_string(p["windows"].get<uint64_t>()) + " s";
    }
    cams.add({name, std::to_string(c["frames"].get<uint64_t>()), std::to_string(c["detections"].get<uint64_t>()),
              fixed(c["throughput_fps"]), pace, fixed(c["latency_ms"]["p50"]), fixed(c["latency_ms"]["p95"]),
              fixed(c["latency_ms"]["p99"]), std::to_string(c["slo_misses"].get<uint64_t>()),
              fixed(c["bytes"].get<double>() / 1e6, 2), acc ? fixed(c["accuracy"]["f1"], 3) : "-",
              acc ? fixed(c["accuracy"]["map50"], 3) : "-"});
  }
  text_table reps({"replica", "device", "done", "queue full", "stale", "failed", "overrun", "busy s", "peak busy",
                   "saturated", "energy J"});
  for (auto& [name, r] : j["replicas"].items()) {
    auto saturated = r["saturated_windows"].get<uint64_t>();
    reps.add({name, r["device"].get<std::string>().empty() ? "-" : r["device"].get<std::string>(),
              std::to_string(r["processed"].get<uint64_t>()), std::to_string(r["dropped_full"].get<uint64_t>()),
              std::to_string(r["dropped_stale"].get<uint64_t>()), std::to_string(r["dropped_failed"].get<uint64_t>()),
              std::to_string(r["overruns"].get<uint64_t>()), fixed(r["busy_ms"].get<double>() / 1e3, 2),
              fixed(r["peak_utilisation"].get<double>() * 100, 0) + "%",
              saturated == 0 ? "-" : std::to_string(saturated) + "/" + std::to_string(r["windows"].get<uint64_t>()) + " s",
              fixed(r["energy_j"], 1)});
  }
  std::string gpus;
  if (j.contains("gpus")) {
    text_table t({"gpu", "arch", "replicas", "inferences", "busy s", "utilisation", "memory MB"});
    for (auto& [where, g] : j["gpus"].items())
      t.add({where, g["arch"].get<std::string>(), std::to_string(g["replicas"].get<uint32_t>()),
             std::to_string(g["inferences"].get<uint64_t>()), fixed(g["busy_ms"].get<double>() / 1e3, 2),
             fixed(g["utilisation"].get<double>() * 100, 0) + "%",
             fixed(g["memory_used_mb"], 0) + "/" + fixed(g["memory_mb"], 0)});
    gpus = t.str();
  }
  return cams.str() + books_table(books_) + reps.str() + gpus + "load-balance index (variance of replica utilisation): " +
         fixed(j["load_balance_index"], 4) + "\n";
}

run_report::written run_report::write(const std::string& prefix, double duration_s) const {
  written out;
  auto save = [&](const std::string& file, const std::string& text) {
    auto why = write_text_file(file, text);
    if (why.empty())
      out.files.push_back(file);
    else
      out.errors.push_back(why);
    return why.empty();
  };
  save(prefix + ".json", to_json(duration_s).dump(2) + "\n");
  std::string plot = "set terminal pngcairo size 900,500\nset output '" + prefix + "-latency.png'\n"
                     "set xlabel 'time (s)'\nset ylabel 'end-to-end latency (ms)'\nset key outside\nplot ";
  int column = 0;
  for (auto& [name, c] : cameras_) {
    std::string dat;
    for (auto& [t, ms] : c.latency_series.points())
      dat += std::to_string(t) + " " + std::to_string(ms) + "\n";
    if (!save(prefix + "-" + name + ".dat", dat))
      return out;
    plot += std::string(column++ ? ", " : "") + "'" + prefix + "-" + name + ".dat' using 1:2 with points pt 7 ps 0.4 title '" + name + "'";
  }
  if (column == 0 || !save(prefix + ".gnuplot", plot + "\n"))
    return out;
  auto png = prefix + "-latency.png";
  std::remove(png.c_str());  // a stale plot from an earlier run must not pass for this one's
  if (std::system(("gnuplot '" + prefix + ".gnuplot' 2>/dev/null").c_str()) == 0 && std::ifstream(png))
    out.files.push_back(png);
  else
    out.errors.push_back("gnuplot did not draw " + png);
  return out;
}

}  // namespace troupe
