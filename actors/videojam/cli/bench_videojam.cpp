#include "actors/videojam/cli/bench_videojam.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/systems.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/common/cli/bench_support.hpp"

namespace troupe {

namespace {

struct outcome {
  std::string scenario, policy;
  int cameras = 0;
  nlohmann::json overall, timeline;
};

bool balanced(const actor_spec& a) {
  return a.kind == "videojam-function" && a.args.get_string("balancer") != "none";
}

// Every balanced function replica (in the actors and in timeline spawns) runs `policy`.
void set_balancer(actor_spec& a, const std::string& policy, const std::string& forecaster) {
  if (!balanced(a))
    return;
  set_param(a, "balancer", policy);
  if (!forecaster.empty())
    set_param(a, "forecaster", forecaster);
}

std::vector<actor_spec*> mobile_cameras(topology& t) {
  std::vector<actor_spec*> out;
  for (auto& a : t.actors)
    if (a.kind == "videojam-camera" && a.args.get_bool("mobile"))
      out.push_back(&a);
  return out;
}

// `cameras` mobile cameras: the file's last ones left out, or more added like the
// file's first ones, each with its own scene.
void scale_cameras(topology& t, int cameras) {
  auto originals = mobile_cameras(t);
  if (originals.empty())
    throw std::runtime_error(t.file + ": no mobile camera to copy for the sweep");
  if (cameras < int(originals.size())) {
    std::set<std::string> dropped;
    for (size_t i = size_t(cameras); i < originals.size(); ++i)
      dropped.insert(originals[i]->name);
    t.actors.erase(std::remove_if(t.actors.begin(), t.actors.end(), [&](auto& a) { return dropped.count(a.name) > 0; }),
                   t.actors.end());
    return;
  }
  std::vector<actor_spec> added;
  for (int k = int(originals.size()) + 1; k <= cameras; ++k) {
    auto cam = *originals[size_t(k - 1) % originals.size()];
    cam.name += "-x" + std::to_string(k);
    auto args = YAML::Clone(cam.args.yaml());
    args["seed"] = (args["seed"] ? args["seed"].as<int64_t>() : 1) + 100 * k;
    cam.args = params(args);
    added.push_back(cam);
  }
  t.actors.insert(t.actors.end(), added.begin(), added.end());
}

topology variant(topology t, const std::string& policy, int cameras, const std::string& forecaster) {
  if (cameras != int(mobile_cameras(t).size()))
    scale_cameras(t, cameras);
  for (auto& a : t.actors)
    set_balancer(a, policy, forecaster);
  for (auto& e : t.timeline)
    set_balancer(e.actor, policy, forecaster);
  t.deployment += "-" + policy;
  return t;
}

outcome run_one(const topology& base, const std::string& policy, int cameras, const bench_videojam_options& o,
                const std::string& prefix) {
  auto t = variant(base, policy, cameras, o.forecaster);
  spdlog::info("== bench videojam: {}, {}, {} mobile cameras, {:.0f} s (time scale {:.1f})", base.deployment, policy,
               cameras, o.duration_s > 0 ? o.duration_s : t.runtime.duration_s, t.runtime.time_scale);
  auto j = run_and_report(t, o.duration_s, prefix);
  return {base.deployment, policy, cameras, j["overall"], j.value("timeline", nlohmann::json::array())};
}

std::string table(const std::vector<outcome>& rows) {
  text_table t({"scenario", "policy", "cams", "results", "mean ms", "p50 ms", "p95 ms", "loss %", "offload MB",
                "control", "replans", "dispatch us", "forecast us", "overruns"});
  for (auto& r : rows) {
    auto& o = r.overall;
    t.add({r.scenario, r.policy, std::to_string(r.cameras), std::to_string(o["results"].get<unsigned long>()),
           fixed(o["response_ms"]["mean"].get<double>(), 0), fixed(o["response_ms"]["p50"].get<double>(), 0),
           fixed(o["response_ms"]["p95"].get<double>(), 0), fixed(100 * o["loss_rate"].get<double>(), 2),
           fixed(o["offload_mb"].get<double>(), 2), std::to_string(o["control_messages"].get<unsigned long>()),
           std::to_string(o.value("monitor_reactions", 0UL)), fixed(o["dispatch_us_p50"].get<double>(), 0),
           fixed(o["forecast_us_p50"].get<double>(), 0), std::to_string(o["overruns"].get<unsigned long>())});
  }
  return t.str();
}

// Response time per second of each policy's run of a scenario (Figs. 3.11, 3.12).
void plot_timeline(const std::string& dir, const std::string& scenario, const std::vector<outcome>& rows) {
  std::string plot = "set xlabel 'time (s)'\nset ylabel 'response time (ms)'\nset key outside\nplot ";
  bool first = true;
  for (auto& r : rows) {
    if (r.scenario != scenario)
      continue;
    auto dat = dir + "/" + scenario + "-" + r.policy + "-timeline.dat";
    {
      std::ofstream out(dat);  // closed before gnuplot reads it
      for (auto& p : r.timeline)
        out << p["t_s"].get<int>() << " " << p["response_mean_ms"].get<double>() << "\n";
    }
    plot += std::string(first ? "" : ", ") + "'" + dat + "' with lines title '" + r.policy + "'";
    first = false;
  }
  plot_png(dir, scenario + "-timeline", plot);
}

// False, having said why, when the file could not be written.
bool write_json(const std::string& file, const std::vector<outcome>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (auto& r : rows)
    j.push_back({{"scenario", r.scenario}, {"policy", r.policy}, {"mobile_cameras", r.cameras}, {"overall", r.overall}});
  auto why = write_text_file(file, j.dump(2) + "\n");
  if (!why.empty())
    spdlog::error("{} not written: {}", file, why);
  return why.empty();
}

}  // namespace

int bench_videojam(const bench_videojam_options& o) {
  std::filesystem::create_directories(o.out_dir);
  std::vector<outcome> rows, sweep;
  for (auto& file : o.topologies) {
    auto loaded = load_topology(file, builtin_kinds());
    for (auto& e : loaded.errors)
      log::problem(e.to_string());
    if (!loaded.topo)
      return 1;
    auto& t = *loaded.topo;
    int cameras = int(mobile_cameras(t).size());
    for (auto& policy : o.policies)
      rows.push_back(run_one(t, policy, cameras, o, o.out_dir + "/" + t.deployment + "-" + policy));
    plot_timeline(o.out_dir, t.deployment, rows);
    for (int n : o.cameras)
      for (auto& policy : o.policies)
        sweep.push_back(run_one(t, policy, n, o, o.out_dir + "/sweep-" + t.deployment + "-" + policy + "-" +
                                                     std::to_string(n)));
  }
  auto report = "bench videojam (response times in deployment time)\n" + table(rows);
  report.pop_back();  // the table's last newline: the log ends the record
  log::result(report);
  bool written = write_json(o.out_dir + "/comparison.json", rows);
  if (!sweep.empty()) {
    auto swept = "mobile camera sweep:\n" + table(sweep);
    swept.pop_back();
    log::result(swept);
    written = write_json(o.out_dir + "/sweep.json", sweep) && written;
  }
  return written ? 0 : 1;
}

}  // namespace troupe
