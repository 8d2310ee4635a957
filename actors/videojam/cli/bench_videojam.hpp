// `troupe bench videojam`: each scenario topology `repeats` times per balancer
// (VideoJam, WRR, Distream full- and semi-stochastic, none) on the same pipelines,
// nodes and input, side by side: response time, loss rate, offload bandwidth as
// medians with min–max (the thesis's Figs. 3.7–3.12), and the thesis's ratios beside
// ours; optionally the camera sweep of Fig. 3.10 (more mobile cameras on the same replicas).
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bench_videojam_options {
  std::vector<std::string> topologies = {"topologies/videojam/videojam-hetero.yaml"};
  std::string out_dir = "build/reports/bench-videojam";
  double duration_s = 0;  // 0: each file's runtime.duration_s
  std::vector<std::string> policies = {"videojam", "wrr", "distream", "distream-ss", "none"};
  std::vector<int> cameras;  // the sweep's mobile camera counts; empty: none
  std::string forecaster;    // a weight file for VideoJam's balancers; empty: the files' own
  int repeats = 3;           // runs per policy, each with its own seeds; medians with min–max
  bool resume = false;       // a run whose report is already in out_dir is read back, not run again
};

int bench_videojam(const bench_videojam_options& options);

}  // namespace troupe
