// `troupe bench videojam`: each scenario topology once per balancer (VideoJam, WRR,
// Distream, none) on the same pipelines, nodes and input, side by side: response
// time, loss rate, offload bandwidth (the thesis's Figs. 3.7–3.12); optionally the
// camera sweep of Fig. 3.10 (more mobile cameras on the same replicas).
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
};

int bench_videojam(const bench_videojam_options& options);

}  // namespace troupe
