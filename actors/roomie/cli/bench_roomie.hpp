// `troupe bench roomie`: ROOMIE's placement against INFaaS- and Usher-style on a
// cluster of emulated shared GPUs (thesis §4.5, Figs. 4.2–4.5): the cloud (3 servers ×
// 4 A100) or the edge (12 Jetson Xavier), queries following the twitter-like curve or a
// Gaussian process at fractions of the cluster's standalone capacity. Per policy and
// load: response time mean/p50/p95, processing rate (results of queries sent), results
// and queries per second, GPU utilisation — medians (min–max) over `repeats` runs — and
// each baseline's mean over ROOMIE's, the thesis's figure beside.
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bench_roomie_options {
  std::string cluster = "cloud";          // cloud or edge
  std::string workload = "twitter-like";  // twitter-like or synthetic (a Gaussian process)
  std::vector<double> loads = {0.25, 0.5, 0.75, 1.0, 1.25};  // × standalone capacity
  std::vector<std::string> policies = {"roomie", "infaas", "usher"};
  double duration_s = 30;
  double time_scale = 0;  // > 0: replaces the topology's runtime.time_scale
  int repeats = 3;
  bool resume = false;
  std::string out_dir = "build/reports/bench-roomie";
};

int bench_roomie(const bench_roomie_options& o);

}  // namespace troupe
