#include "actors/octocross/cli/bench_octocross.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <tuple>

#include <spdlog/spdlog.h>

#include "actors/common/cli/bench_support.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/octocross/core/cluster_views.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"

namespace troupe {

namespace {

// What a run compares: no offloading at all (the paper's "none": every replica keeps
// what arrives; a scheduler that plans nothing only when traces are recorded), or the
// scheduler with one of its policies.
enum class bench_policy { none, distream, greedy, octocross, temp_abl, spat_abl, gnn_lstm };
const choice<bench_policy> bench_policies("policy", {{"none", bench_policy::none},
                                                     {"distream", bench_policy::distream},
                                                     {"greedy", bench_policy::greedy},
                                                     {"octocross", bench_policy::octocross},
                                                     {"temp_abl", bench_policy::temp_abl},
                                                     {"spat_abl", bench_policy::spat_abl},
                                                     {"gnn_lstm", bench_policy::gnn_lstm}});

bool learned(bench_policy p) {
  return p != bench_policy::none && p != bench_policy::distream && p != bench_policy::greedy;
}

// A learned policy's weights for a site: MODELS/POLICY-SITE.pt (SITE: the file's name);
// Distream's LSTM forecaster: MODELS/distream-SITE.txt.
std::string weights_for(const bench_octocross_options& o, bench_policy p, const topology& t) {
  return o.models + "/" + bench_policies.name(p) + "-" + std::filesystem::path(t.file).stem().string() +
         (p == bench_policy::distream ? ".txt" : ".pt");
}

const char* scheduler_kind = "octocross-scheduler";

// The camera nodes in file order: nodes that host a pipeline camera.
std::vector<std::string> camera_nodes(const topology& t) {
  std::vector<std::string> out;
  for (auto& n : t.nodes)
    for (auto& a : t.actors)
      if (a.node == n.name && a.kind == "videojam-camera") {
        out.push_back(n.name);
        break;
      }
  return out;
}

std::string join(const std::vector<std::string>& names, const char* sep) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : sep) + n;
  return out;
}

// The scheduler plans only for the replicas left, along the edges between them.
void trim_scheduler(actor_spec& s, const std::set<std::string>& gone_actors) {
  auto nodes = split_names(s.args.get_string("nodes"));
  auto edges = octocross::parse_edges(s.args.get_string("edges"), nodes);
  std::vector<std::string> kept, kept_edges;
  for (auto& n : nodes)
    if (!gone_actors.count(n))
      kept.push_back(n);
  for (auto [a, b] : edges)
    if (!gone_actors.count(nodes[a]) && !gone_actors.count(nodes[b]))
      kept_edges.push_back(nodes[a] + "-" + nodes[b]);
  set_param(s, "nodes", join(kept, ", "));
  set_param(s, "edges", join(kept_edges, ", "));
}

// The first `size` camera nodes, their actors, and every node without a camera.
void keep_cameras(topology& t, int size) {
  auto cams = camera_nodes(t);
  if (size > int(cams.size()))
    throw std::runtime_error(t.file + " has " + std::to_string(cams.size()) + " camera nodes, fewer than " +
                             std::to_string(size));
  std::set<std::string> gone_nodes(cams.begin() + size, cams.end()), gone_actors;
  for (auto& a : t.actors)
    if (gone_nodes.count(a.node))
      gone_actors.insert(a.name);
  t.actors.erase(std::remove_if(t.actors.begin(), t.actors.end(), [&](auto& a) { return gone_nodes.count(a.node) > 0; }),
                 t.actors.end());
  t.nodes.erase(std::remove_if(t.nodes.begin(), t.nodes.end(), [&](auto& n) { return gone_nodes.count(n.name) > 0; }),
                t.nodes.end());
  t.links.erase(std::remove_if(t.links.begin(), t.links.end(),
                               [&](auto& l) { return gone_nodes.count(l.from) || gone_nodes.count(l.to); }),
                t.links.end());
  for (auto* s : actors_of_kind(t, scheduler_kind))
    trim_scheduler(*s, gone_actors);
}

// The replicas the scheduler plans for.
std::vector<actor_spec*> planned_replicas(topology& t) {
  std::vector<actor_spec*> out;
  for (auto& a : t.actors)
    if (a.kind == "videojam-function" && a.args.get_string("balancer") == "plan")
      out.push_back(&a);
  return out;
}

// Distream (§5.1): the server's replica is the Edge, the cameras' are Ends; every End
// forecasts its next window with the LSTM and balances with the other Ends.
void make_distream(topology& t, const std::string& forecaster) {
  auto cams = camera_nodes(t);
  std::string edge;
  for (auto* a : planned_replicas(t))
    if (std::find(cams.begin(), cams.end(), a->node) == cams.end())
      edge = a->name;
  if (edge.empty())
    throw std::runtime_error(t.file + ": no planned replica off the cameras' nodes to be Distream's Edge");
  for (auto* a : planned_replicas(t)) {
    set_param(*a, "balancer", "distream");
    set_param(*a, "forecaster", forecaster);
    if (a->name != edge)
      set_param(*a, "edge", edge);
  }
}

struct outcome {
  std::string scenario, policy;
  int size = 0, repeat = 0;
  nlohmann::json overall, scheduler, cameras;
};

topology variant(topology t, bench_policy policy, int size, const bench_octocross_options& o) {
  keep_cameras(t, size);
  bool schedules = policy != bench_policy::distream && (policy != bench_policy::none || o.traces);
  if (!schedules) {
    t.actors.erase(std::remove_if(t.actors.begin(), t.actors.end(), [](auto& a) { return a.kind == scheduler_kind; }),
                   t.actors.end());
    if (policy == bench_policy::distream)
      make_distream(t, weights_for(o, policy, t));
    else
      for (auto* a : planned_replicas(t))
        set_param(*a, "balancer", "none");
  } else {
    for (auto* s : actors_of_kind(t, scheduler_kind)) {
      set_param(*s, "policy", bench_policies.name(policy));
      if (learned(policy))
        set_param(*s, "model", weights_for(o, policy, t));
    }
  }
  t.deployment += "-" + std::string(bench_policies.name(policy)) + "-" + std::to_string(size);
  return t;
}

outcome run_one(const topology& base, bench_policy policy, int size, int repeat, const bench_octocross_options& o) {
  auto t = variant(base, policy, size, o);
  offset_seeds(t, repeat, o.seed_base);
  auto prefix = o.out_dir + "/" + t.deployment + "-r" + std::to_string(repeat);
  if (o.traces) {
    for (auto* s : actors_of_kind(t, scheduler_kind))
      set_param(*s, "trace", prefix + "-trace.csv");
    for (auto& a : t.actors)  // arrivals per slot, the Distream forecaster's training data
      if (a.kind == "videojam-function" && a.args.has("scheduler"))
        set_param(a, "load_trace", prefix + "-load-" + a.name + ".csv");
  }
  spdlog::info("== bench octocross: {}, {}, {} cameras, run {} of {}, {:.0f} s", base.deployment,
               bench_policies.name(policy), size, repeat + 1, o.repeats, o.duration_s > 0 ? o.duration_s : t.runtime.duration_s);
  auto j = run_and_report(t, o.duration_s, prefix, o.resume);
  auto objects = j["overall"].value("objects_delivered", 0.0);
  j["overall"]["objects_per_s"] = objects / j["duration_s"].get<double>();
  return {base.deployment, bench_policies.name(policy), size, repeat, j["overall"], companion_report(prefix, "scheduler"),
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
    std::string plot = "set style data histogram\nset style histogram cluster gap 1\nset style fill solid border -1\n"
                       "set xtics rotate by -45\nset yrange [0:*]\nset key outside\nset title '" + scenario + ", " + std::to_string(size) +
                       " cameras'\nset ylabel '" + (figure == 0 ? "mean response (ms)" : "% of objects delivered") +
                       "'\nplot ";
    for (size_t k = 0; k < runs.size(); ++k)
      plot += std::string(k ? ", " : "") + "'" + dir + "/" + name + ".dat' using " + std::to_string(2 + 2 * k + figure) +
              (k ? "" : ":xtic(1)") + " title '" + runs[k]->policy + "'";
    plot_png(dir, name + (figure == 0 ? "-latency" : "-ideal"), plot, "1100,500");
  }
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
  std::vector<bench_policy> policies;
  for (auto& p : o.policies)
    policies.push_back(bench_policies.parse(p));
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
                table(rows) + "gains (paired runs, median (min-max); the paper's Table 2 beside, and whether half its gain is met):\n" + gains(rows);
  report.pop_back();
  log::result(report);
  return write_json(o.out_dir + "/comparison.json", rows) ? 0 : 1;
}

}  // namespace troupe
