#include "actors/remo/cli/bench_remo.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "actors/systems.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/common/cli/bench_support.hpp"

namespace troupe {

namespace {

struct outcome {
  std::string policy;
  int cameras = 0;
  double f1 = 0, mean_ms = 0, p95_ms = 0, energy_j = 0, balance = 0, megabytes = 0, decide_ms = 0;
  double detected_mean_ms = 0, detected_share = 0;  // frames a detector's result reached
  uint64_t moved = 0, demanded = 0;
};

// More cameras like the file's: camera k copies camera ((k-1) mod N) of the file with
// its own node (with that node's interfaces) and replica, another scene seed
// (synthetic) or start frame (video), the same links to the server and the same links
// to every other camera. A shared server interface stays one: the added cameras
// queue behind the others there, as on the paper's testbed.
void scale_cameras(topology& t, int cameras) {
  auto originals = actors_of_kind(t, "region-camera");
  int n = int(originals.size());
  std::set<std::string> camera_nodes;
  for (auto* c : originals)
    camera_nodes.insert(c->node);
  std::vector<link_spec> to_server, between;
  for (auto& l : t.links)
    (camera_nodes.count(l.from) && camera_nodes.count(l.to) ? between : to_server).push_back(l);
  std::vector<actor_spec> added;
  std::vector<std::string> new_nodes;
  for (int k = n + 1; k <= cameras; ++k) {
    auto cam = *originals[size_t((k - 1) % n)];
    auto suffix = "x" + std::to_string(k);
    auto detector_name = cam.args.get_string("detector");
    auto det = std::find_if(t.actors.begin(), t.actors.end(), [&](auto& a) { return a.name == detector_name; });
    if (det == t.actors.end() || det->node != cam.node)
      throw std::runtime_error(t.file + ": camera " + cam.name + "'s detector must run on its node to be copied");
    auto copy = *det;
    copy.name += suffix;
    copy.node += suffix;
    copy.args = params(YAML::Clone(det->args.yaml()));
    added.push_back(copy);
    auto node = cam.node;
    cam.name += suffix;
    cam.node += suffix;
    auto args = YAML::Clone(cam.args.yaml());
    args["detector"] = detector_name + suffix;
    if (args["source"].as<std::string>() == "synthetic")
      args["seed"] = args["seed"] ? args["seed"].as<int64_t>() + 100 * k : 100 * k;
    else  // another stretch of the video, not the same view again
      args["start_frame"] = (args["start_frame"] ? args["start_frame"].as<int64_t>() : 0) + 37 * k;
    cam.args = params(args);
    added.push_back(cam);
    for (auto l : to_server)
      if (l.from == node || l.to == node) {
        (l.from == node ? l.from : l.to) = cam.node;
        t.links.push_back(l);
      }
    for (auto& other : camera_nodes)
      if (!between.empty()) {
        auto l = between.front();
        l.from = other;
        l.to = cam.node;
        t.links.push_back(l);
      }
    camera_nodes.insert(cam.node);
    auto spec = *t.find_node(node);
    spec.name = cam.node;
    t.nodes.push_back(spec);
  }
  t.actors.insert(t.actors.end(), added.begin(), added.end());
  t.runtime.time_scale *= double(cameras) / n;  // this machine's cores are shared by every camera
}

// The file's deployment as `policy` runs it. Offload-Frame: the scheduler with whole
// frames, detected whenever a region's trigger fires; EHCI: padded previous boxes to
// the server, no scheduler.
topology variant(topology t, const std::string& policy, int cameras, const std::string& prefix, bool fixed_trigger) {
  if (cameras > int(actors_of_kind(t, "region-camera").size()))
    scale_cameras(t, cameras);
  std::vector<actor_spec> kept;
  for (auto a : t.actors) {
    auto args = YAML::Clone(a.args.yaml());
    if (a.kind == "region-scheduler") {
      if (policy == "ehci")
        continue;
      args["policy"] = policy == "offload-frame" ? "remo" : policy;
      args["report"] = prefix;
    } else if (a.kind == "sink") {
      args["report"] = prefix;
    } else if (a.kind == "region-camera") {
      if (policy == "offload-frame")
        args["mode"] = "whole-frame";
      if (policy == "ehci") {
        args["mode"] = "ehci";
        args.remove("scheduler");
      }
      if (fixed_trigger)
        args["q_per_backlog"] = 0;
    }
    a.args = params(args);
    kept.push_back(a);
  }
  t.actors = kept;
  t.deployment += "-" + policy;
  return t;
}

outcome read_outcome(const std::string& policy, int cameras, const std::string& prefix) {
  outcome o{policy, cameras};
  std::ifstream sink_file(prefix + ".json");
  if (!sink_file)
    throw std::runtime_error(prefix + ".json: the run wrote no report");
  auto j = nlohmann::json::parse(sink_file);
  require_processed(j, policy);
  auto& all = j["overall"];
  o.f1 = all.value("f1", 0.0);
  o.mean_ms = all["latency_ms"]["mean"];
  o.p95_ms = all["latency_ms"]["p95"];
  o.detected_mean_ms = all["detected_latency_ms"]["mean"];
  auto frames = all["frames"].get<double>();
  o.detected_share = frames > 0 ? all["detected_latency_ms"]["frames"].get<double>() / frames : 0;
  o.energy_j = all["energy_j"];
  o.megabytes = all["bytes"].get<double>() / 1e6;
  o.balance = j["load_balance_index"];
  std::ifstream scheduler_file(prefix + "-scheduler.json");
  if (scheduler_file) {
    auto s = nlohmann::json::parse(scheduler_file);
    o.moved = s["regions_moved"];
    o.demanded = s["regions_demanded"];
    o.decide_ms = s["decision_ms"]["p50"];
  }
  return o;
}

outcome run_one(const topology& base, const std::string& policy, int cameras, double duration_s,
                const std::string& out_prefix, bool fixed_trigger) {
  auto prefix = out_prefix + policy + "-" + std::to_string(cameras) + "cam";
  std::filesystem::remove(prefix + ".json");  // a run that writes nothing must not read an old report
  std::filesystem::remove(prefix + "-scheduler.json");
  auto t = variant(base, policy, cameras, prefix, fixed_trigger);
  spdlog::info("== bench remo: {}, {} cameras, {:.0f} s (time scale {:.1f})", policy, cameras, duration_s,
               t.runtime.time_scale);
  run_options run;
  run.duration_s = duration_s;
  if (int rc = run_deployment(t, run, builtin_kinds()); rc != 0)
    throw std::runtime_error(policy + ": the run failed (exit " + std::to_string(rc) + ")");
  return read_outcome(policy, cameras, prefix);
}

// Latency over every frame and over the frames a detector's result reached, side by
// side: tracked frames are output at once, so whoever detects less looks faster overall.
std::string table(const std::vector<outcome>& rows) {
  text_table t({"policy", "cams", "F1", "mean ms", "p95 ms", "detected mean ms", "detected", "energy J", "K util",
                "MB", "moved/demanded", "decide ms"});
  for (auto& r : rows)
    t.add({r.policy, std::to_string(r.cameras), fixed(r.f1, 3), fixed(r.mean_ms, 1), fixed(r.p95_ms, 1),
           fixed(r.detected_mean_ms, 1), fixed(100 * r.detected_share, 0) + "%", fixed(r.energy_j, 1),
           fixed(r.balance, 4), fixed(r.megabytes, 2), std::to_string(r.moved) + "/" + std::to_string(r.demanded),
           fixed(r.decide_ms, 3)});
  return t.str();
}

// False, having said why, when the file could not be written.
bool write_json(const std::string& file, const std::vector<outcome>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (auto& r : rows)
    j.push_back({{"policy", r.policy}, {"cameras", r.cameras}, {"f1", r.f1}, {"latency_mean_ms", r.mean_ms},
                 {"latency_p95_ms", r.p95_ms}, {"detected_latency_mean_ms", r.detected_mean_ms},
                 {"detected_share", r.detected_share}, {"energy_j", r.energy_j}, {"load_balance_index", r.balance},
                 {"megabytes", r.megabytes}, {"regions_moved", r.moved}, {"regions_demanded", r.demanded},
                 {"decision_p50_ms", r.decide_ms}});
  auto why = write_text_file(file, j.dump(2) + "\n");
  if (!why.empty())
    spdlog::error("{} not written: {}", file, why);
  return why.empty();
}

// Bars of mean latency and F1 per policy, like the paper's Fig. 8.
void plot_comparison(const std::string& dir, const std::vector<outcome>& rows) {
  {
    std::ofstream dat(dir + "/comparison.dat");  // closed before gnuplot reads it
    for (auto& r : rows)
      dat << r.policy << " " << r.mean_ms << " " << r.f1 << "\n";
  }
  plot_png(dir, "comparison",
           "set style data histograms\nset style fill solid 0.6\nset ylabel 'mean latency (ms)'\n"
           "set y2label 'F1'\nset y2range [0:1]\nset ytics nomirror\nset y2tics\nset xtics rotate by -20\n"
           "plot '" + dir + "/comparison.dat' using 2:xtic(1) title 'mean latency', '' using 3 axes x1y2 title 'F1'");
}

// Mean latency against the number of cameras, one line per policy, like Fig. 14.
void plot_sweep(const std::string& dir, const std::vector<outcome>& rows, const std::vector<std::string>& policies) {
  std::string plot = "set xlabel 'cameras'\nset ylabel 'mean latency (ms)'\nset key outside\nplot ";
  for (size_t i = 0; i < policies.size(); ++i) {
    std::ofstream dat(dir + "/sweep-" + policies[i] + ".dat");
    for (auto& r : rows)
      if (r.policy == policies[i])
        dat << r.cameras << " " << r.mean_ms << "\n";
    plot += std::string(i ? ", " : "") + "'" + dir + "/sweep-" + policies[i] + ".dat' with linespoints title '" +
            policies[i] + "'";
  }
  plot_png(dir, "sweep", plot);
}

}  // namespace

int bench_remo(const bench_remo_options& o) {
  auto loaded = load_topology(o.topology, builtin_kinds());
  for (auto& e : loaded.errors)
    log::problem(e.to_string());
  if (!loaded.topo)
    return 1;
  int cameras = int(actors_of_kind(*loaded.topo, "region-camera").size());
  if (cameras == 0) {
    spdlog::error("{}: no region-camera to compare policies on", o.topology);
    return 1;
  }
  std::filesystem::create_directories(o.out_dir);
  for (int n : o.cameras)
    if (n < cameras) {
      spdlog::error("the sweep starts at the file's {} cameras, not {}", cameras, n);
      return 1;
    }
  std::vector<outcome> rows;
  for (auto& policy : o.policies)
    rows.push_back(run_one(*loaded.topo, policy, cameras, o.duration_s, o.out_dir + "/", o.fixed_trigger));
  std::vector<outcome> sweep;
  for (int n : o.cameras)
    for (auto& policy : o.policies)
      sweep.push_back(run_one(*loaded.topo, policy, n, o.sweep_duration_s, o.out_dir + "/sweep-", o.fixed_trigger));
  auto report = fmt::format("bench remo: {}, {:.0f} s per policy{} (latency and energy in deployment time)\n{}",
                            o.topology, o.duration_s, o.fixed_trigger ? ", fixed trigger threshold" : "", table(rows));
  report.pop_back();  // the table's last newline: the log ends the record
  log::result(report);
  bool written = write_json(o.out_dir + "/comparison.json", rows);
  plot_comparison(o.out_dir, rows);
  if (!sweep.empty()) {
    auto swept = fmt::format("camera sweep, {:.0f} s per run:\n{}", o.sweep_duration_s, table(sweep));
    swept.pop_back();
    log::result(swept);
    written = write_json(o.out_dir + "/sweep.json", sweep) && written;
    plot_sweep(o.out_dir, sweep, o.policies);
  }
  return written ? 0 : 1;
}

}  // namespace troupe
