#include "actors/run_report.hpp"

#include <cstdio>
#include <fstream>

#include "vision/percentile.hpp"

namespace troupe {

namespace {

std::vector<vision::detection> boxes_of(const google::protobuf::RepeatedPtrField<msg::Box>& boxes) {
  std::vector<vision::detection> out;
  for (auto& b : boxes)
    out.push_back({cv::Rect2f(b.x(), b.y(), b.width(), b.height()), 0, b.score()});
  return out;
}

std::string fixed(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string row(const std::vector<std::string>& cells, const std::vector<int>& widths) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    auto cell = cells[i];
    out += std::string(std::max(0, widths[i] - int(cell.size())), ' ') + cell + "  ";
  }
  return out + "\n";
}

}  // namespace

void run_report::add_truth(const msg::GroundTruth& truth) {
  auto& c = cameras_[truth.camera()];
  ++c.truth_frames;
  auto boxes = boxes_of(truth.boxes());
  auto waiting = c.unscored_detections.find(truth.frame_index());
  if (waiting == c.unscored_detections.end()) {
    c.unscored_truth[truth.frame_index()] = std::move(boxes);
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
  c.latency_ms.push_back(latency_ms);
  c.latency_series.emplace_back(at_s, latency_ms);
  if (slo_ms_ > 0 && latency_ms > slo_ms_)
    ++c.slo_misses;
  auto found = boxes_of(d.boxes());
  auto truth = c.unscored_truth.find(d.frame_index());
  if (truth == c.unscored_truth.end()) {
    c.unscored_detections[d.frame_index()] = std::move(found);
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
  std::vector<double> all_latency;
  vision::match_counts all_counts;
  uint64_t all_frames = 0, all_bytes = 0, truth_frames = 0;
  for (auto& [name, c] : cameras_) {
    all_latency.insert(all_latency.end(), c.latency_ms.begin(), c.latency_ms.end());
    all_counts += c.counts;
    all_frames += c.frames;
    all_bytes += c.bytes;
    truth_frames += c.truth_frames;
    nlohmann::json j;
    j["frames"] = c.frames;
    j["detections"] = c.detections;
    j["throughput_fps"] = duration_s > 0 ? c.frames / duration_s : 0;
    j["latency_ms"] = {{"mean", vision::mean(c.latency_ms)},
                       {"p50", vision::percentile(c.latency_ms, 50)},
                       {"p95", vision::percentile(c.latency_ms, 95)},
                       {"p99", vision::percentile(c.latency_ms, 99)}};
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
    if (!c.stats.kind().empty()) {
      j["kind"] = c.stats.kind();
      for (auto& [figure, value] : c.stats.figures())
        j["figures"][figure] = value;
    }
    out["cameras"][name] = j;
  }
  std::vector<double> loads;
  for (auto& [name, r] : replicas_) {
    out["replicas"][name] = {{"device", r.device()},
                             {"processed", r.processed()},
                             {"batches", r.batches()},
                             {"dropped_full", r.dropped_full()},
                             {"dropped_stale", r.dropped_stale()},
                             {"dropped_failed", r.dropped_failed()},
                             {"overruns", r.overruns()},
                             {"busy_ms", r.busy_ms()},
                             {"energy_j", r.energy_j()}};
    loads.push_back(duration_s > 0 ? r.busy_ms() / 1e3 / duration_s : 0);
  }
  out["load_balance_index"] = vision::load_balance_index(loads);
  double energy = 0;
  for (auto& [name, r] : replicas_)
    energy += r.energy_j();
  // Every camera together: what a comparison of policies reads.
  out["overall"] = {{"frames", all_frames},
                    {"bytes", all_bytes},
                    {"latency_ms", {{"mean", vision::mean(all_latency)},
                                    {"p50", vision::percentile(all_latency, 50)},
                                    {"p95", vision::percentile(all_latency, 95)}}},
                    {"energy_j", energy}};
  if (truth_frames > 0) {
    out["overall"]["f1"] = all_counts.f1();
    out["overall"]["map50"] = all_map_.mean_average_precision();
  }
  return out;
}

std::string run_report::table(double duration_s) const {
  auto j = to_json(duration_s);
  std::vector<int> w = {12, 7, 7, 7, 8, 8, 8, 5, 9, 6, 6};
  std::string out = row({"camera", "frames", "boxes", "fps", "p50 ms", "p95 ms", "p99 ms", "slo✗", "MB", "F1", "mAP50"}, w);
  for (auto& [name, c] : j["cameras"].items()) {
    auto acc = c.contains("accuracy");
    out += row({name, std::to_string(c["frames"].get<uint64_t>()), std::to_string(c["detections"].get<uint64_t>()),
                fixed(c["throughput_fps"]),
                fixed(c["latency_ms"]["p50"]), fixed(c["latency_ms"]["p95"]), fixed(c["latency_ms"]["p99"]),
                std::to_string(c["slo_misses"].get<uint64_t>()), fixed(c["bytes"].get<double>() / 1e6, 2),
                acc ? fixed(c["accuracy"]["f1"], 3) : "-", acc ? fixed(c["accuracy"]["map50"], 3) : "-"},
               w);
  }
  std::vector<int> rw = {12, 10, 9, 8, 8, 8, 8, 9, 9};
  out += row({"replica", "device", "done", "full✗", "stale✗", "fail✗", "overrun", "busy s", "energy J"}, rw);
  for (auto& [name, r] : j["replicas"].items())
    out += row({name, r["device"].get<std::string>().empty() ? "-" : r["device"].get<std::string>(),
                std::to_string(r["processed"].get<uint64_t>()), std::to_string(r["dropped_full"].get<uint64_t>()),
                std::to_string(r["dropped_stale"].get<uint64_t>()), std::to_string(r["dropped_failed"].get<uint64_t>()),
                std::to_string(r["overruns"].get<uint64_t>()), fixed(r["busy_ms"].get<double>() / 1e3, 2),
                fixed(r["energy_j"], 1)},
               rw);
  out += "load-balance index (variance of replica utilisation): " + fixed(j["load_balance_index"], 4) + "\n";
  return out;
}

std::vector<std::string> run_report::write(const std::string& prefix, double duration_s) const {
  std::vector<std::string> files;
  std::ofstream(prefix + ".json") << to_json(duration_s).dump(2) << "\n";
  files.push_back(prefix + ".json");
  std::string plot = "set terminal pngcairo size 900,500\nset output '" + prefix + "-latency.png'\n"
                     "set xlabel 'time (s)'\nset ylabel 'end-to-end latency (ms)'\nset key outside\nplot ";
  int column = 0;
  for (auto& [name, c] : cameras_) {
    std::ofstream dat(prefix + "-" + name + ".dat");
    for (auto& [t, ms] : c.latency_series)
      dat << t << " " << ms << "\n";
    plot += std::string(column++ ? ", " : "") + "'" + prefix + "-" + name + ".dat' using 1:2 with points pt 7 ps 0.4 title '" + name + "'";
  }
  if (column == 0)
    return files;
  std::ofstream(prefix + ".gnuplot") << plot << "\n";
  if (std::system(("gnuplot '" + prefix + ".gnuplot' 2>/dev/null").c_str()) == 0)
    files.push_back(prefix + "-latency.png");
  return files;
}

}  // namespace troupe
