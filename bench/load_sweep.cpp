// Overload is not death (issue 20): N synthetic cameras at 2 fps, 16 to an edge node,
// each edge node's MOG2 replica serving its cameras, one sink on a server node, run for
// each N of the sweep. Prints per N: frames due at the cameras' rate over the run, taken
// (as the cameras' pace reports count them, whole windows only) and delivered,
// the replicas' drops by cause, slow-consumer drops, p95 latency, and the nodes
// suspected and declared down (every node is alive throughout: any declared down is a
// false one). Each N is run --runs times (3); each run's row is kept in
// OUT/load-N-run-K.row.json as it ends, so --resume skips done runs, and a last table
// gives per N the median (min–max) over the runs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/log.hpp"
#include "actors/systems.hpp"
#include "vision/percentile.hpp"

using namespace troupe;

namespace {

struct settings {
  std::vector<int> cameras = {8, 16, 32, 64, 128, 256};
  int runs = 3;
  double fps = 2;
  double duration_s = 30;
  int per_node = 16;  // cameras per edge node
  int scene_width = 768, scene_height = 576;  // the synthetic scenes' defaults
  std::string out = "build/reports/load-sweep";
  bool resume = false;
  bool source_idle = false;
  int max_age_ms = 0;  // the replicas' max_age_ms; 0: their default
  double warmup_s = 10;  // p95 is also given for the frames delivered after this
};

std::string topology_text(const settings& s, int n, const std::string& report) {
  int edges = (n + s.per_node - 1) / s.per_node;
  std::ostringstream t;
  t << "deployment: load-" << n << "\nnats: embedded\nruntime: { duration_s: " << s.duration_s
    << ", source_idle: " << (s.source_idle ? "true" : "false") << " }\nnodes:\n";
  for (int e = 1; e <= edges; ++e)
    t << "  - name: edge-" << e << "\n";
  t << "  - name: server\nactors:\n";
  for (int e = 1; e <= edges; ++e)
    t << "  - { name: mog-" << e << ", kind: detector, node: edge-" << e << ", params: { model: mog2"
      << (s.max_age_ms > 0 ? ", max_age_ms: " + std::to_string(s.max_age_ms) : std::string()) << " } }\n";
  for (int c = 0; c < n; ++c)
    t << "  - { name: cam-" << c + 1 << ", kind: camera, node: edge-" << c / s.per_node + 1
      << ", params: { source: synthetic, seed: " << c + 1 << ", fps: " << s.fps << ", scene_width: " << s.scene_width
      << ", scene_height: " << s.scene_height << ", detector: mog-"
      << c / s.per_node + 1 << ", sink: sink } }\n";
  t << "  - { name: sink, kind: sink, node: server, params: { report: " << report << " } }\n";
  return t.str();
}

// Every camera's books together, the causes by what happened, not where ("queue full",
// "stale", "det down: node down" by actor kept apart from other actors' causes).
void add_books(const nlohmann::json& report, nlohmann::json& row) {
  int64_t produced = 0, delivered = 0, unaccounted = 0;
  std::map<std::string, std::map<std::string, int64_t>> by;
  auto books = report.value("books", nlohmann::json::object());
  for (auto& [camera, b] : books.items()) {
    produced += b["produced"].get<int64_t>();
    delivered += b["delivered"].get<int64_t>();
    for (auto column : {"dropped", "lost", "in_flight"})
      for (auto& [cause, n] : b[column].items()) {
        auto colon = cause.find(": ");
        by[column][colon == std::string::npos ? cause : cause.substr(colon + 2)] += n.get<int64_t>();
      }
    for (auto& [cause, n] : b["unaccounted"].items())
      unaccounted += n.get<int64_t>();
  }
  row["produced"] = produced;
  row["delivered"] = delivered;
  row["unaccounted"] = unaccounted;
  for (auto& [column, causes] : by)
    row[column] = causes;
}

// p95 of the frames delivered `warmup_s` or later into the run, from the cameras'
// latency series (PREFIX-cam-*.dat: "time_s latency_ms", every frame up to 4096 a
// camera). The first seconds are each camera's cold start: its first frame at its MOG2
// replica touches a fresh 44 MB background model (docs/benchmarks.md).
double p95_after(const std::string& prefix, double warmup_s) {
  std::vector<double> ms;
  auto folder = std::filesystem::path(prefix).parent_path();
  auto stem = std::filesystem::path(prefix).filename().string() + "-cam-";
  for (auto& entry : std::filesystem::directory_iterator(folder)) {
    auto name = entry.path().filename().string();
    if (name.rfind(stem, 0) != 0 || entry.path().extension() != ".dat")
      continue;
    std::ifstream in(entry.path());
    for (double at_s, latency_ms; in >> at_s >> latency_ms;)
      if (at_s >= warmup_s)
        ms.push_back(latency_ms);
  }
  return vision::percentile(ms, 95);
}

// Where run `run` of `n` cameras keeps its reports; its row is PREFIX.row.json.
std::string prefix_of(const settings& s, int n, int run) {
  return s.out + "/load-" + std::to_string(n) + "-run-" + std::to_string(run);
}

nlohmann::json run_one(const settings& s, int n, int run) {
  auto prefix = prefix_of(s, n, run);
  auto row_file = prefix + ".row.json";
  if (s.resume && std::filesystem::exists(row_file)) {
    std::ifstream in(row_file);
    log::result(row_file + ": done in an earlier run, read back (--resume)");
    return nlohmann::json::parse(in);
  }
  auto parsed = parse_topology(topology_text(s, n, prefix), "load-" + std::to_string(n) + ".yaml", builtin_kinds());
  if (!parsed.topo)
    throw std::runtime_error("the sweep's topology is invalid: " + parsed.errors.front().to_string());
  std::filesystem::remove(prefix + ".json");
  run_summary summary;
  run_options options;
  options.summary = &summary;
  run_deployment(*parsed.topo, options, builtin_kinds());
  if (stop_requested())
    throw std::runtime_error("stopped by a signal");
  nlohmann::json row{{"cameras", n}, {"run", run}, {"run_ok", summary.ok}};
  uint64_t suspected = 0, down = 0, slow = 0;
  int64_t lag = 0;
  for (auto& [name, st] : summary.nodes) {
    suspected += st.nodes_suspected;
    lag = std::max(lag, st.liveness_lag_max_ms);
    down += st.nodes_declared_down;
    slow += uint64_t(std::max<int64_t>(0, st.slow_consumer_drops));
  }
  row["nodes_suspected"] = suspected;
  row["nodes_declared_down"] = down;
  row["slow_consumer_drops"] = slow;
  row["liveness_lag_max_ms"] = lag;
  std::ifstream in(prefix + ".json");
  auto report = in ? nlohmann::json::parse(in, nullptr, false) : nlohmann::json();
  if (report.is_object()) {
    row["delivered"] = report["overall"].value("frames", uint64_t(0));
    row["p95_ms"] = report["overall"]["latency_ms"].value("p95", 0.0);
    row["p95_after_warmup_ms"] = p95_after(prefix, s.warmup_s);
    add_books(report, row);
    row["duration_s"] = report.value("duration_s", 0.0);
  }
  row["at_rate"] = static_cast<uint64_t>(std::llround(n * s.fps * s.duration_s));
  std::ofstream(row_file) << row.dump(2) << "\n";
  return row;
}

std::string causes(const nlohmann::json& counts) {
  int64_t sum = 0;
  std::string parts;
  for (auto& [cause, n] : counts.items()) {
    sum += n.get<int64_t>();
    parts += (parts.empty() ? "" : ", ") + fmt::format("{} {}", n.get<int64_t>(), cause);
  }
  return parts.empty() ? "0" : fmt::format("{} ({})", sum, parts);
}

void print_table(const std::vector<nlohmann::json>& rows) {
  fmt::print("\n| cameras (run) | frames due | produced | delivered | dropped | lost | in flight | unaccounted | "
             "slow-consumer drops | p95 ms | p95 after warm-up ms | own heartbeats late ms | nodes suspected | nodes declared down | run |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (auto& r : rows) {
    auto n = [&](const char* key) { return r.value(key, int64_t(0)); };
    auto c = [&](const char* key) { return causes(r.contains(key) ? r[key] : nlohmann::json::object()); };
    fmt::print("| {} ({}) | {} | {} | {} | {} | {} | {} | {} | {} | {:.0f} | {:.0f} | {} | {} | {} | {} |\n", n("cameras"),
               n("run"), n("at_rate"), n("produced"), n("delivered"), c("dropped"), c("lost"), c("in_flight"),
               n("unaccounted"), n("slow_consumer_drops"), r.value("p95_ms", 0.0), r.value("p95_after_warmup_ms", 0.0),
               n("liveness_lag_max_ms"), n("nodes_suspected"), n("nodes_declared_down"),
               r.value("run_ok", false) ? "ok" : "FAILED");
  }
  std::fflush(stdout);
}

// Per camera count, median (min–max) over its runs of what the goals are about.
void print_summary(const std::vector<nlohmann::json>& rows) {
  std::map<int64_t, std::vector<const nlohmann::json*>> by_count;
  for (auto& r : rows)
    by_count[r.value("cameras", int64_t(0))].push_back(&r);
  auto spread = [](std::vector<double> v, const char* format) {
    std::sort(v.begin(), v.end());
    auto f = [&](double x) { return fmt::format(fmt::runtime(format), x); };
    return v.size() == 1 ? f(v[0]) : f(vision::median(v)) + " (" + f(v.front()) + "–" + f(v.back()) + ")";
  };
  fmt::print("\nmedian (min–max) over the runs:\n\n| cameras | runs | delivered | p95 ms | p95 after warm-up ms | "
             "nodes suspected | nodes declared down | unaccounted | runs ok |\n|---|---|---|---|---|---|---|---|---|\n");
  for (auto& [count, runs] : by_count) {
    auto of = [&](const char* key) {
      std::vector<double> v;
      for (auto* r : runs)
        v.push_back(r->value(key, 0.0));
      return v;
    };
    int ok = 0;
    for (auto* r : runs)
      ok += r->value("run_ok", false);
    fmt::print("| {} | {} | {} | {} | {} | {} | {} | {} | {}/{} |\n", count, runs.size(),
               spread(of("delivered"), "{:.0f}"), spread(of("p95_ms"), "{:.0f}"), spread(of("p95_after_warmup_ms"), "{:.0f}"),
               spread(of("nodes_suspected"), "{:.0f}"),
               spread(of("nodes_declared_down"), "{:.0f}"), spread(of("unaccounted"), "{:.0f}"), ok, runs.size());
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"load sweep: N synthetic cameras at 2 fps against MOG2 replicas; node liveness under overload"};
  app.add_option("--cameras", s.cameras, "camera counts of the sweep (default 8 16 32 64 128 256)")
      ->check(CLI::Range(1, 4096));
  app.add_option("--runs", s.runs, "runs per camera count (default 3)")->check(CLI::Range(1, 100));
  app.add_option("--fps", s.fps, "each camera's rate (default 2)")->check(CLI::Range(0.1, 60.0));
  app.add_option("--duration", s.duration_s, "seconds per run (default 30)")->check(CLI::Range(1.0, 3600.0));
  app.add_option("--per-node", s.per_node, "cameras per edge node (default 16)")->check(CLI::Range(1, 1024));
  app.add_option("--scene-width", s.scene_width, "synthetic scenes' width (default 768)")->check(CLI::Range(32, 4096));
  app.add_option("--scene-height", s.scene_height, "synthetic scenes' height (default 576)")->check(CLI::Range(32, 4096));
  app.add_option("-o,--out", s.out, "folder of the runs' reports and rows (default build/reports/load-sweep)");
  app.add_option("--warmup", s.warmup_s, "p95 is also given for frames delivered after this many seconds "
                 "(default 10)")->check(CLI::Range(0.0, 3600.0));
  app.add_flag("--resume", s.resume, "skip the camera counts whose row is already there");
  app.add_flag("--source-idle", s.source_idle, "cameras run SCHED_IDLE (runtime.source_idle)");
  app.add_option("--max-age-ms", s.max_age_ms, "the replicas drop frames older than this (their max_age_ms); "
                 "default: theirs (1000)")->check(CLI::Range(1, 3600000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  log::setup({log::format::text, true});
  std::filesystem::create_directories(s.out);
  std::vector<nlohmann::json> rows;
  auto started = std::chrono::steady_clock::now();
  size_t total = s.cameras.size() * size_t(s.runs), done_here = 0;
  try {
    for (int run = 1; run <= s.runs; ++run)
      for (int n : s.cameras) {
        auto eta = done_here == 0 ? std::string("?")
                 : fmt::format("{:.0f} s", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() /
                                              done_here * double(total - rows.size()));
        log::result(fmt::format("load sweep {}/{}: {} cameras for {} s, run {} of {} (ETA {})", rows.size() + 1, total, n,
                                int(s.duration_s), run, s.runs, eta));
        bool fresh = !(s.resume && std::filesystem::exists(prefix_of(s, n, run) + ".row.json"));
        rows.push_back(run_one(s, n, run));
        done_here += fresh;
        print_table(rows);
      }
    print_summary(rows);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load sweep: %s\n", e.what());
    return 1;
  }
  return 0;
}
