// `troupe bench octocross`: a site topology (topologies/octocross/campus.yaml) at each
// size (its first N camera nodes) `repeats` times per policy, side by side: objects/s
// delivered and % of the ideal (what the cameras offered), response mean/p50/p95/p99,
// SLO misses, offload MB and decision time, as medians with min–max over runs
// (octocross.txt §5, Table 2), each policy's gain over no offloading paired run by run.
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bench_octocross_options {
  std::vector<std::string> topologies = {"topologies/octocross/campus.yaml"};
  std::string out_dir = "build/reports/bench-octocross";
  double duration_s = 0;                         // 0: each file's runtime.duration_s
  std::vector<std::string> policies = {"octocross", "greedy", "none"};
  std::string models = "build/models";           // MODEL-SITE.pt per learned policy (scripts/train-octocross.sh)
  std::vector<int> sizes;                        // camera nodes kept; empty: all the file has
  int repeats = 3;
  bool resume = false;
  bool traces = false;                           // every run's scheduler writes PREFIX-trace.csv
  int64_t seed_base = 0;                         // every seed moved by this too (recordings for training)
};

int bench_octocross(const bench_octocross_options& options);

}  // namespace troupe
