// `troupe bench octocross-adaptation`: OctoCross's online adaptation (octocross.txt §3.3,
// Fig. 8) on a site whose cameras come and go — by default the campus at 8, then 12,
// 16, 12 and 8 cameras, a phase each: cameras that join are spawned with their
// devices' replicas, those that leave are stopped. Each learned policy reads weights
// trained on the first step's cameras only (MODELS/POLICY-SITE-N.pt), so the joiners
// are new to it. Prints objects/s per phase, what was sent to or kept for nodes that
// had left, the scheduler's adaptation events and finetunes — medians (min–max) over
// `repeats` runs per policy with seeds moved per run; plots objects/s per second.
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bench_adaptation_options {
  std::string topology = "topologies/octocross/campus.yaml";
  std::vector<int> steps = {8, 12, 16, 12, 8};  // camera nodes in each phase
  double phase_s = 120;
  std::vector<std::string> policies = {"octocross", "greedy"};
  std::string models = "build/models";
  double grace_s = 150;                          // the scheduler's, Alg. 1's GracePeriod
  int repeats = 3;                               // runs per policy, seeds moved per run
  bool resume = false;
  std::string out_dir = "build/reports/bench-octocross-adaptation";
};

int bench_octocross_adaptation(const bench_adaptation_options& options);

}  // namespace troupe
