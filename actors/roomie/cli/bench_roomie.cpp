#include "actors/roomie/cli/bench_roomie.hpp"

#include <cstdio>
#include <map>

#include "actors/common/cli/bench_support.hpp"
#include "actors/common/pipeline_names.hpp"
#include "actors/roomie/core/placement_params.hpp"
#include "actors/roomie/core/query_load.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "gpu/model/kernel_trace.hpp"

namespace troupe {

namespace {

struct run_figures {
  double mean_ms = 0, p50_ms = 0, p95_ms = 0;
  double processing = 0;       // results / queries sent
  double results_per_s = 0, queries_per_s = 0;
  double gpu_utilisation = 0;  // mean over the cluster's GPUs
};

run_figures figures_of(const nlohmann::json& report, double duration_s) {
  run_figures f;
  auto& q = report["cameras"]["queries"];
  f.mean_ms = q["latency_ms"]["mean"];
  f.p50_ms = q["latency_ms"]["p50"];
  f.p95_ms = q["latency_ms"]["p95"];
  double queries = 0;
  for (auto& [name, value] : q["figures"].items())
    if (name.size() > 15 && name.compare(name.size() - 15, 15, "_queries_frames") == 0)
      queries += value.get<double>();
  double results = q["frames"].get<double>();
  f.processing = queries > 0 ? results / queries : 0;
  f.results_per_s = results / duration_s;
  f.queries_per_s = queries / duration_s;
  double util = 0;
  int gpus = 0;
  auto all = report.value("gpus", nlohmann::json::object());
  for (auto& [where, g] : all.items()) {
    util += g["utilisation"].get<double>();
    ++gpus;
  }
  f.gpu_utilisation = gpus ? util / gpus : 0;
  return f;
}

// Queries per second (deployment time) the topology's initial replicas sustain alone.
double capacity_of(topology& t) {
  auto& placer = actor_named(t, "placer");
  auto& queries = actor_named(t, "queries");
  auto cluster = roomie::parse_cluster(placer.args.get_string("cluster"));
  auto device = load_device(placer.args.get_string("profile"), cluster.front().device);
  std::map<std::string, int> replicas;
  for (auto& [model, n] : roomie::parse_initial(placer.args.get_string("initial")))
    replicas[model] += n;
  auto models = split_names(queries.args.get_string("models"));
  std::vector<double> t_us;
  std::vector<int> n;
  for (auto& m : models) {
    t_us.push_back(gpu::read_kernel_trace(device.gpu->traces + "/" + m + "-b1.csv").total_us());
    n.push_back(replicas[m]);
  }
  return roomie::standalone_capacity(t_us, n, roomie::zipf(models.size(), queries.args.get_double("zipf_s", 1)));
}

// The thesis's figure for a cluster and workload: its name and the ratio it reports.
std::pair<std::string, std::string> thesis_figure(const bench_roomie_options& o) {
  if (o.cluster == "cloud")
    return o.workload == "twitter-like" ? std::pair{"Fig. 4.2", "up to 17x faster, processing > 97 %"}
                                        : std::pair{"Fig. 4.3", "9.2x faster"};
  return o.workload == "twitter-like" ? std::pair{"Fig. 4.4", "8.3x lower latency than INFaaS"}
                                      : std::pair{"Fig. 4.5", "9x faster, 1.3x processing rate, 1.5x throughput"};
}

}  // namespace

int bench_roomie(const bench_roomie_options& o) {
  if (o.cluster != "cloud" && o.cluster != "edge")
    throw std::runtime_error("--cluster: cloud or edge");
  if (o.workload != "twitter-like" && o.workload != "synthetic")
    throw std::runtime_error("--workload: twitter-like or synthetic");
  auto file = "topologies/roomie/" + std::string(o.cluster == "cloud" ? "cloud" : "edge") + "-queries.yaml";
  auto base = load_bench_topology(file);
  if (!base)
    return 1;
  if (o.time_scale > 0)
    base->runtime.time_scale = o.time_scale;
  auto capacity = capacity_of(*base);
  log::result("bench roomie: " + file + ", standalone capacity " + std::to_string(int(capacity)) +
              " queries/s; " + std::to_string(o.repeats) + " runs of " + fixed(o.duration_s, 1) +
              " s per policy and load, deployment time " + fixed(base->runtime.time_scale, 0) + "x slower than wall time");
  std::map<std::pair<std::string, double>, std::vector<run_figures>> runs;
  for (double load : o.loads)
    for (auto& policy : o.policies)
      for (int r = 0; r < o.repeats; ++r) {
        auto t = *base;
        set_param(actor_named(t, "placer"), "policy", policy);
        auto& q = actor_named(t, "queries");
        set_param(q, "rate", load * capacity);
        set_param(q, "load", o.workload == "twitter-like" ? std::string("topologies/roomie/twitter-like.csv") : "gp");
        offset_seeds(t, r);
        char prefix[256];
        std::snprintf(prefix, sizeof prefix, "%s/roomie-%s-%s-%s-x%.2f-r%d", o.out_dir.c_str(), o.cluster.c_str(),
                      o.workload.c_str(), policy.c_str(), load, r);
        runs[{policy, load}].push_back(figures_of(run_and_report(t, o.duration_s, prefix, o.resume), o.duration_s));
      }
  auto [figure, claim] = thesis_figure(o);
  text_table table({"policy", "load", "mean ms", "p50 ms", "p95 ms", "processing", "results/s", "queries/s", "GPU util",
                    "mean / ROOMIE's"});
  for (double load : o.loads) {
    std::vector<const run_figures*> mine;
    for (auto& f : runs[{"roomie", load}])
      mine.push_back(&f);
    for (auto& policy : o.policies) {
      std::vector<const run_figures*> cell;
      for (auto& f : runs[{policy, load}])
        cell.push_back(&f);
      auto mean = spread_over(cell, [](const run_figures& f) { return f.mean_ms; });
      std::string ratio = "-";
      if (policy != "roomie" && !mine.empty())
        ratio = fixed(mean.median / std::max(1e-9, spread_over(mine, [](const run_figures& f) { return f.mean_ms; }).median), 2) + "x";
      table.add({policy, fixed(load, 2), to_string(mean, 1),
                 to_string(spread_over(cell, [](const run_figures& f) { return f.p50_ms; }), 1),
                 to_string(spread_over(cell, [](const run_figures& f) { return f.p95_ms; }), 1),
                 to_string(spread_over(cell, [](const run_figures& f) { return f.processing * 100; }), 1) + " %",
                 to_string(spread_over(cell, [](const run_figures& f) { return f.results_per_s; }), 0),
                 to_string(spread_over(cell, [](const run_figures& f) { return f.queries_per_s; }), 0),
                 to_string(spread_over(cell, [](const run_figures& f) { return f.gpu_utilisation * 100; }), 0) + " %", ratio});
    }
  }
  log::result("bench roomie, " + o.cluster + ", " + o.workload + " (median (min-max) over " +
              std::to_string(o.repeats) + " runs; load x standalone capacity; " + figure + ": " + claim + "):\n" +
              table.str());
  return 0;
}

}  // namespace troupe
