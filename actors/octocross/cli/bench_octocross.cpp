#include "actors/octocross/cli/bench_octocross.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <tuple>

#include <spdlog/spdlog.h>

#include "actors/common/cli/bench_support.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/octocross/cli/site_runs.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"

namespace troupe {

namespace {

struct outcome {
  std::string scenario, policy;
  int size = 0, repeat = 0;
  nlohmann::json overall, scheduler, cameras;
};

outcome run_one(const topology& base, site_policy policy, int size, int repeat, const bench_octocross_options& o) {
  auto t = base;
  keep_cameras(t, size);
  t = with_policy(std::move(t), policy, {o.models, o.traces});
  t.deployment += "-" + std::to_string(size);
  offset_seeds(t, repeat, o.seed_base);
  auto prefix = o.out_dir + "/" + t.deployment + "-r" + std::to_string(repeat);
  if (o.traces)
    record_traces(t, prefix);
  spdlog::info("== bench octocross: {}, {}, {} cameras, run {} of {}, {:.0f} s", base.deployment,
               site_policies.name(policy), size, repeat + 1, o.repeats, o.duration_s > 0 ? o.duration_s : t.runtime.duration_s);
  auto j = run_and_report(t, o.duration_s, prefix, o.resume);
  auto objects = j["overall"].value("objects_delivered", 0.0);
  j["overall"]["objects_per_s"] = objects / j["duration_s"].get<double>();
  return {base.deployment, site_policies.name(policy), size, repeat, j["overall"], companion_report(prefix, "scheduler"),
          j.value("cameras", nlohmann::json::object())};
}

std::vector<const outcome*> runs_of(const std::vector<outcome>& rows, const std::string& scenario,
                                    const std::string& policy, int size) {
  std::vector<const outcome*> out;
  for (auto& r : rows)
    if (r.scenario == scenario && r.policy == policy && r.size == size)
      out.push_back(&r);
  return out;
}

double objects_per_s(const outcome& r) { return r.overall["objects_per_s"].get<double>(); }
double ideal_percent(const outcome& r) {
  auto offered = r.overall.value("objects_offered", 0.0);
  return offered > 0 ? 100 * r.overall["objects_delivered"].get<double>() / offered : 0;
}
double response(const outcome& r, const char* p) { return r.overall["response_ms"][p].get<double>(); }
double slo_miss_percent(const outcome& r) { return 100 * r.overall.value("slo_miss_rate", 0.0); }
double decision_ms(const outcome& r) {
  return r.scheduler.contains("decision_ms") ? r.scheduler["decision_ms"]["p50"].get<double>() : 0.0;
}

std::string table(const std::vector<outcome>& rows) {
  text_table t({"scenario", "policy", "cams", "runs", "objects/s", "% ideal", "mean ms", "p50 ms", "p95 ms", "p99 ms",
                "SLO miss %", "offload MB", "decision ms"});
  std::set<std::tuple<std::string, std::string, int>> done;
  for (auto& r : rows) {
    if (!done.insert({r.scenario, r.policy, r.size}).second)
      continue;
    auto runs = runs_of(rows, r.scenario, r.policy, r.size);
    t.add({r.scenario, r.policy, std::to_string(r.size), std::to_string(runs.size()), to_string(spread_over(runs, objects_per_s), 1),
           to_string(spread_over(runs, ideal_percent), 1),
           to_string(spread_over(runs, [](const outcome& x) { return response(x, "mean"); }), 0),
           to_string(spread_over(runs, [](const outcome& x) { return response(x, "p50"); }), 0),
           to_string(spread_over(runs, [](const outcome& x) { return response(x, "p95"); }), 0),
           to_string(spread_over(runs, [](const outcome& x) { return response(x, "p99"); }), 0),
           to_string(spread_over(runs, slo_miss_percent), 2),
           to_string(spread_over(runs, [](const outcome& x) { return x.overall["offload_mb"].get<double>(); }), 1),
           to_string(spread_over(runs, decision_ms), 2)});
  }
  return t.str();
}

// Table 2 of the paper: OctoCross's throughput gain and latency reduction over each
// baseline, per site and size.
struct table2_cell {
  const char* scenario;
  const char* baseline;
  int cameras;
  double throughput, latency;
};
const table2_cell table2[] = {
  {"octocross-campus", "distream", 8, 1.25, 1.19}, {"octocross-campus", "distream", 12, 1.31, 1.13},
  {"octocross-campus", "distream", 16, 1.33, 1.52}, {"octocross-campus", "gnn_lstm", 8, 1.08, 1.47},
  {"octocross-campus", "gnn_lstm", 12, 1.18, 1.19}, {"octocross-campus", "gnn_lstm", 16, 1.15, 1.28},
  {"octocross-campus", "none", 8, 4.80, 3.24},      {"octocross-campus", "none", 12, 2.21, 2.45},
  {"octocross-campus", "none", 16, 1.54, 2.71},     {"octocross-city", "distream", 8, 1.57, 1.16},
  {"octocross-city", "distream", 16, 1.59, 1.37},   {"octocross-city", "distream", 26, 1.62, 1.42},
  {"octocross-city", "gnn_lstm", 8, 1.60, 2.36},    {"octocross-city", "gnn_lstm", 16, 1.43, 1.50},
  {"octocross-city", "gnn_lstm", 26, 1.41, 1.32},   {"octocross-city", "none", 8, 4.00, 2.38},
  {"octocross-city", "none", 16, 5.82, 3.26},       {"octocross-city", "none", 26, 3.36, 2.47},
};

const table2_cell* paper_cell(const std::string& scenario, const std::string& baseline, int cameras) {
  for (auto& c : table2)
    if (scenario == c.scenario && baseline == c.baseline && cameras == c.cameras)
      return &c;
  return nullptr;
}

std::string beside(const paired_ratio& ours, const table2_cell* paper, double table2_cell::*figure) {
  auto text = to_string(ours.ratio, 2) + "x" + (ours.every_run ? "" : " (not every run)");
  if (!paper)
    return text;
  char rest[64];
  std::snprintf(rest, sizeof(rest), " | paper %.2fx, half %s", paper->*figure,
                half_the_magnitude(ours.ratio.median, paper->*figure) ? "met" : "missed");
  return text + rest;
}

// Gains run k against run k (same seeds), throughput system ÷ baseline and mean
// latency baseline ÷ system (Table 2's two figures per cell): OctoCross's over each
// other policy, beside the paper's; without OctoCross runs, each policy's over none.
std::string gains(const std::vector<outcome>& rows) {
  bool has_octocross = std::any_of(rows.begin(), rows.end(), [](auto& r) { return r.policy == "octocross"; });
  text_table t({"scenario", "cams", "system", "over", "throughput gain", "latency reduction"});
  std::set<std::tuple<std::string, std::string, int>> done;
  for (auto& r : rows) {
    auto system = has_octocross ? std::string("octocross") : r.policy;
    auto baseline = has_octocross ? r.policy : std::string("none");
    if (system == baseline || !done.insert({r.scenario, baseline, r.size}).second)
      continue;
    auto ours = runs_of(rows, r.scenario, system, r.size), theirs = runs_of(rows, r.scenario, baseline, r.size);
    if (ours.empty() || theirs.size() != ours.size())
      continue;
    // compare_paired gives baseline ÷ system: throughput wants system ÷ baseline.
    auto tput = compare_paired(figures_of(theirs, objects_per_s), figures_of(ours, objects_per_s));
    auto latency = compare_paired(figures_of(ours, [](const outcome& x) { return response(x, "mean"); }),
                                  figures_of(theirs, [](const outcome& x) { return response(x, "mean"); }));
    auto* paper = system == "octocross" ? paper_cell(r.scenario, baseline, r.size) : nullptr;
    t.add({r.scenario, std::to_string(r.size), system, baseline, beside(tput, paper, &table2_cell::throughput),
           beside(latency, paper, &table2_cell::latency)});
  }
  return t.str();
}

// Per camera of a scenario and size, each policy's first run side by side (Figs. 5–6):
// mean response and the share of the camera's objects delivered.
void plot_cameras(const std::string& dir, const std::string& scenario, int size, const std::vector<outcome>& rows) {
  std::vector<const outcome*> runs;
  for (auto& r : rows)
    if (r.scenario == scenario && r.size == size && r.repeat == 0 && !r.cameras.empty())
      runs.push_back(&r);
  if (runs.empty())
    return;
  auto name = scenario + "-" + std::to_string(size) + "-cameras";
  {
    std::ofstream out(dir + "/" + name + ".dat");  // camera, then per policy: mean ms, % ideal
    for (auto& [camera, _] : runs[0]->cameras.items()) {
      out << camera;
      for (auto* r : runs) {
        auto c = r->cameras.value(camera, nlohmann::json::object());
        auto offered = c.value("objects_offered", 0.0);
        out << " " << c.value("response_mean_ms", 0.0) << " "
            << (offered > 0 ? 100 * c.value("objects_delivered", 0.0) / offered : 0.0);
      }
      out << "\n";
    }
  }
  for (int figure : {0, 1}) {
    std::string plot = "set termoption noenhanced\nset style data histogram\nset style histogram cluster gap 1\nset style fill solid border -1\n"
                       "set xtics rotate by -45\nset yrange [0:*]\nset key outside\nset title '" + scenario + ", " + std::to_string(size) +
                       " cameras'\nset ylabel '" + (figure == 0 ? "mean response (ms)" : "% of objects delivered") +
                       "'\nplot ";
    for (size_t k = 0; k < runs.size(); ++k)
      plot += std::string(k ? ", " : "") + "'" + dir + "/" + name + ".dat' using " + std::to_string(2 + 2 * k + figure) +
              (k ? "" : ":xtic(1)") + " title '" + runs[k]->policy + "'";
    plot_png(dir, name + (figure == 0 ? "-latency" : "-ideal"), plot, "1100,500");
  }
}

double median_of(const std::vector<outcome>& rows, const std::string& scenario, const std::string& policy, int size,
                 double (*figure)(const outcome&)) {
  return spread_over(runs_of(rows, scenario, policy, size), figure).median;
}

// Which weights each learned policy decided with (the first run's scheduler says).
std::string weights_used(const std::vector<outcome>& rows) {
  std::map<std::string, std::string> used;
  for (auto& r : rows)
    if (!r.scheduler.value("model", std::string()).empty())
      used.emplace(r.policy, r.scheduler["model"].get<std::string>());
  std::string out;
  for (auto& [policy, model] : used)
    out += "weights: " + policy + " decided with " + model + "\n";
  return out;
}

// The pass bar (§5), each check said with its figures: OctoCross best in
// throughput and SLO misses in every cell, its share of the ideal at the largest size
// (85 % campus, 80 % city), and Distream's gain over none not falling with size.
std::string pass_bar(const std::vector<outcome>& rows) {
  std::set<std::pair<std::string, int>> cells;
  std::set<std::string> policies;
  for (auto& r : rows) {
    cells.insert({r.scenario, r.size});
    policies.insert(r.policy);
  }
  if (!policies.count("octocross"))
    return "";
  std::string out;
  std::map<std::string, int> largest;
  std::map<std::string, std::vector<double>> distream_gains;
  for (auto& [scenario, size] : cells) {
    largest[scenario] = std::max(largest[scenario], size);
    double tput = median_of(rows, scenario, "octocross", size, objects_per_s);
    double miss = median_of(rows, scenario, "octocross", size, slo_miss_percent);
    std::string beaten;
    for (auto& p : policies)
      if (p != "octocross" && !runs_of(rows, scenario, p, size).empty() &&
          (median_of(rows, scenario, p, size, objects_per_s) >= tput ||
           median_of(rows, scenario, p, size, slo_miss_percent) <= miss))
        beaten += " " + p;
    out += scenario + " " + std::to_string(size) + ": OctoCross best in throughput and SLO misses: " +
           (beaten.empty() ? "yes" : "no (matched or beaten by" + beaten + ")") + "\n";
    if (policies.count("distream") && policies.count("none"))
      distream_gains[scenario].push_back(median_of(rows, scenario, "distream", size, objects_per_s) /
                                         median_of(rows, scenario, "none", size, objects_per_s));
  }
  for (auto& [scenario, size] : largest) {
    double bar = scenario.find("city") != std::string::npos ? 80 : 85;
    double ideal = median_of(rows, scenario, "octocross", size, ideal_percent);
    out += scenario + " " + std::to_string(size) + ": OctoCross at " + to_string(spread_of({ideal}), 1) +
           " % of the ideal, bar " + to_string(spread_of({bar}), 0) + " %: " + (ideal >= bar ? "met" : "missed") + "\n";
  }
  for (auto& [scenario, g] : distream_gains)
    out += scenario + ": Distream's gain over none by size non-decreasing: " +
           (std::is_sorted(g.begin(), g.end()) ? "yes" : "no") + "\n";
  return out;
}

bool write_json(const std::string& file, const std::vector<outcome>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (auto& r : rows)
    j.push_back({{"scenario", r.scenario}, {"policy", r.policy}, {"cameras", r.size}, {"run", r.repeat},
                 {"overall", r.overall}, {"scheduler", r.scheduler}, {"per_camera", r.cameras}});
  return write_and_say(file, j.dump(2) + "\n");
}

}  // namespace

int bench_octocross(const bench_octocross_options& o) {
  std::vector<site_policy> policies;
  for (auto& p : o.policies)
    policies.push_back(site_policies.parse(p));
  std::filesystem::create_directories(o.out_dir);
  std::vector<outcome> rows;
  for (auto& file : o.topologies) {
    auto t = load_bench_topology(file);
    if (!t)
      return 1;
    auto sizes = o.sizes;
    if (sizes.empty())
      sizes.push_back(int(camera_nodes(*t).size()));
    for (int size : sizes) {
      for (int k = 0; k < o.repeats; ++k)  // run k of every policy before run k + 1: a stopped sweep leaves pairs
        for (auto policy : policies)
          rows.push_back(run_one(*t, policy, size, k, o));
      plot_cameras(o.out_dir, t->deployment, size, rows);
    }
  }
  auto report = "bench octocross (deployment time; medians (min–max) over " + std::to_string(o.repeats) + " runs)\n" +
                table(rows) + weights_used(rows) + "gains (paired runs, median (min-max); the paper's Table 2 beside, and whether half its gain is met):\n" +
                gains(rows) + pass_bar(rows);
  report.pop_back();
  log::result(report);
  return write_json(o.out_dir + "/comparison.json", rows) ? 0 : 1;
}

}  // namespace troupe
