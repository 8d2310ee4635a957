#include "actors/videojam/cli/bench_videojam.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/common/cli/bench_support.hpp"

namespace troupe {

namespace {

struct outcome {
  std::string scenario, policy;
  int cameras = 0, repeat = 0;
  nlohmann::json overall, timeline;
};

// The thesis's headline ratios (baseline ÷ VideoJam), by our scenario that stands for
// its experiment. Fig. 3.7 gives 2.91× and 1.77× for "Distream's solutions"; we read the
// larger as the semi-stochastic one, the worse of the two in Fig. 3.8.
struct thesis_claim {
  const char* scenario;
  const char* baseline;
  bool loss;  // false: mean response time
  double ratio;
  const char* where;
};
const thesis_claim thesis_claims[] = {
  {"videojam-hetero", "distream-ss", false, 2.91, "Fig. 3.7"},
  {"videojam-hetero", "distream", false, 1.77, "Fig. 3.7"},
  {"videojam-mobile", "wrr", false, 1.22, "Fig. 3.8"},
  {"videojam-mobile", "distream-ss", false, 2.02, "Fig. 3.8"},
  {"videojam-mobile", "distream-ss", true, 3.68, "Fig. 3.8"},
  {"videojam-failures", "distream", true, 6.0, "Fig. 3.11"},
  {"videojam-churn", "wrr", false, 1.25, "Fig. 3.12"},
};

bool balanced(const actor_spec& a) {
  return a.kind == "videojam-function" && a.args.get_string("balancer") != "none";
}

// Every balanced function replica (in the actors and in timeline spawns) runs `policy`.
void set_balancer(actor_spec& a, const std::string& policy, const std::string& forecaster) {
  if (!balanced(a))
    return;
  set_param(a, "balancer", policy);
  if (!forecaster.empty() && policy == "videojam")  // the thesis's Distream forecasts nothing
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

outcome run_one(const topology& base, const std::string& policy, int cameras, int repeat,
                const bench_videojam_options& o, const std::string& prefix) {
  auto t = variant(base, policy, cameras, o.forecaster);
  offset_seeds(t, repeat);
  spdlog::info("== bench videojam: {}, {}, {} mobile cameras, run {} of {}, {:.0f} s (time scale {:.1f})",
               base.deployment, policy, cameras, repeat + 1, o.repeats,
               o.duration_s > 0 ? o.duration_s : t.runtime.duration_s, t.runtime.time_scale);
  auto j = run_and_report(t, o.duration_s, prefix + "-r" + std::to_string(repeat), o.resume);
  return {base.deployment, policy, cameras, repeat, j["overall"], j.value("timeline", nlohmann::json::array())};
}

// A figure of a run's overall report.
using figure = double (*)(const nlohmann::json& overall);
double response_mean(const nlohmann::json& o) { return o["response_ms"]["mean"].get<double>(); }
double loss_percent(const nlohmann::json& o) { return 100 * o["loss_rate"].get<double>(); }

// The runs of one policy in one scenario (and camera count), in repeat order.
std::vector<const outcome*> runs_of(const std::vector<outcome>& rows, const std::string& scenario,
                                    const std::string& policy, int cameras) {
  std::vector<const outcome*> out;
  for (auto& r : rows)
    if (r.scenario == scenario && r.policy == policy && r.cameras == cameras)
      out.push_back(&r);
  return out;
}

spread over(const std::vector<const outcome*>& runs, const std::function<double(const nlohmann::json&)>& f) {
  return spread_over(runs, [&f](const outcome& r) { return f(r.overall); });
}

// The median of a counter of the runs' overall reports (0 where a report lacks it).
std::string median(const std::vector<const outcome*>& runs, const char* field) {
  return fixed(over(runs, [field](const nlohmann::json& o) { return o.value(field, 0.0); }).median, 0);
}

// One line per scenario, policy and camera count: medians (min–max) over its runs.
std::string table(const std::vector<outcome>& rows) {
  text_table t({"scenario", "policy", "cams", "runs", "results", "mean ms", "p50 ms", "p95 ms", "loss %",
                "offload MB", "control", "replans", "dispatch us", "overruns"});
  std::set<std::tuple<std::string, std::string, int>> done;
  for (auto& r : rows) {
    if (!done.insert({r.scenario, r.policy, r.cameras}).second)
      continue;
    auto runs = runs_of(rows, r.scenario, r.policy, r.cameras);
    using json = nlohmann::json;
    t.add({r.scenario, r.policy, std::to_string(r.cameras), std::to_string(runs.size()), median(runs, "results"),
           to_string(over(runs, response_mean), 0),
           to_string(over(runs, [](const json& o) { return o["response_ms"]["p50"].get<double>(); }), 0),
           to_string(over(runs, [](const json& o) { return o["response_ms"]["p95"].get<double>(); }), 0),
           to_string(over(runs, loss_percent), 2),
           to_string(over(runs, [](const json& o) { return o["offload_mb"].get<double>(); }), 2),
           median(runs, "control_messages"), median(runs, "monitor_reactions"), median(runs, "dispatch_us_p50"),
           median(runs, "overruns")});
  }
  return t.str();
}

// The thesis's ratios beside ours, paired run by run (run k of VideoJam and of the
// baseline share their seeds). A direction holds only if it holds in every run; half
// the magnitude means a ratio of at least 1 + (thesis − 1) / 2.
std::string against_the_thesis(const std::vector<outcome>& rows) {
  text_table t({"scenario", "VideoJam vs", "figure", "thesis", "ours", "every run", "half the magnitude"});
  for (auto& c : thesis_claims) {
    int cameras = 0;
    for (auto& r : rows)
      if (r.scenario == c.scenario && r.policy == "videojam")
        cameras = r.cameras;
    auto ours = runs_of(rows, c.scenario, "videojam", cameras), theirs = runs_of(rows, c.scenario, c.baseline, cameras);
    if (ours.empty() || theirs.size() != ours.size())
      continue;
    figure of = c.loss ? loss_percent : response_mean;
    std::vector<double> system, baseline;
    for (size_t k = 0; k < ours.size(); ++k) {
      system.push_back(of(ours[k]->overall));
      baseline.push_back(of(theirs[k]->overall));
    }
    auto [ratio, every] = compare_paired(system, baseline);
    auto measured = std::isinf(ratio.min) ? std::string("∞ (VideoJam: 0)") : to_string(ratio, 2) + "x";
    t.add({c.scenario, c.baseline, std::string(c.loss ? "loss" : "mean response") + ", " + c.where,
           fixed(c.ratio, 2) + "x", measured, every ? "yes" : "no", half_the_magnitude(ratio.median, c.ratio) ? "yes" : "no"});
  }
  return t.str();
}

// Response time per second of each policy's run of a scenario (Figs. 3.11, 3.12).
void plot_timeline(const std::string& dir, const std::string& scenario, const std::vector<outcome>& rows) {
  std::string plot = "set xlabel 'time (s)'\nset ylabel 'response time (ms)'\nset key outside\nplot ";
  bool first = true;
  for (auto& r : rows) {
    if (r.scenario != scenario || r.repeat != 0)
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
    j.push_back({{"scenario", r.scenario}, {"policy", r.policy}, {"mobile_cameras", r.cameras}, {"run", r.repeat},
                 {"overall", r.overall}});
  return write_and_say(file, j.dump(2) + "\n");
}

}  // namespace

int bench_videojam(const bench_videojam_options& o) {
  std::filesystem::create_directories(o.out_dir);
  std::vector<outcome> rows, sweep;
  for (auto& file : o.topologies) {
    auto loaded = load_bench_topology(file);
    if (!loaded)
      return 1;
    auto& t = *loaded;
    int cameras = int(mobile_cameras(t).size());
    for (int k = 0; k < o.repeats; ++k)  // run k of every policy before run k + 1: a stopped sweep leaves pairs
      for (auto& policy : o.policies)
        rows.push_back(run_one(t, policy, cameras, k, o, o.out_dir + "/" + t.deployment + "-" + policy));
    plot_timeline(o.out_dir, t.deployment, rows);
    for (int n : o.cameras)
      for (int k = 0; k < o.repeats; ++k)
        for (auto& policy : o.policies)
          sweep.push_back(run_one(t, policy, n, k, o, o.out_dir + "/sweep-" + t.deployment + "-" + policy + "-" +
                                                           std::to_string(n)));
  }
  auto report = "bench videojam (response times in deployment time; medians (min–max) over " +
                std::to_string(o.repeats) + " runs)\n" + table(rows);
  report += "the thesis beside ours (baseline ÷ VideoJam, paired runs):\n" + against_the_thesis(rows);
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
