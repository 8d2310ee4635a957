// `troupe bench remo`: ReMO and each baseline on the same cameras, links, devices and
// input (remo.txt, section VII), repeated with other seeds: one table of medians (F1,
// system delay, latency, energy, traffic), the paper's figures beside ours, plots, and
// optionally the camera-scaling sweep of the paper's Fig. 14.
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bench_remo_options {
  std::string topology = "topologies/remo/remo-4cam.yaml";
  std::string out_dir = "build/reports/bench-remo";
  double duration_s = 30;
  std::vector<std::string> policies = {"remo", "bandwidth-prior", "model-prior", "offload-frame", "elf", "ehci"};
  std::vector<int> cameras;       // the sweep, e.g. 4 8 12 16; empty: none
  double sweep_duration_s = 10;
  // Q no longer rises with the delay queue: every policy faces the same demands, so
  // the table compares assignments alone (with the queue, a policy whose modelled
  // delay is high also detects less).
  bool fixed_trigger = false;
  int repeats = 3;      // runs per cell, seeds moved per run (bench_support's offset_seeds)
  bool resume = false;  // a run whose report is there is read back, not run again
};

int bench_remo(const bench_remo_options& options);

}  // namespace troupe
