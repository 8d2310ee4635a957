// `troupe bench react`: REACT and its baselines (edge-only, cloud-only, every-frame
// edge detection) on one topology's cameras, side by side (react.txt, §6): mAP@0.5 per
// edge/cloud model pair, REACT's accuracy over a k × m grid of detection frequencies
// (Fig. 4), accuracy under WiFi 30 ms, WiFi 50 ms and an LTE-like trace (§6.3), and one
// model server's latency against the number of cameras sending to it (Figs. 7–9).
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bench_react_options {
  std::string topology = "topologies/react/react-mobile.yaml";
  std::string out_dir = "build/reports/bench-react";
  std::string models_dir = "build/models";  // where pair names like detector-n resolve to *.pt
  double duration_s = 0;                    // per run; 0: the file's
  std::string tracker;                      // every camera's main and fast tracker; empty: the file's
  double time_scale = 0;                    // the emulated clock's slowdown; 0: the file's
  std::vector<std::string> parts = {"pairs", "grid", "networks", "server"};
  std::vector<std::string> modes = {"react", "edge-only", "cloud-only", "cloud-only-no-fast-track", "every-frame-edge"};
  // edge:cloud, trained on streets of people, cars and bikes as the scenes are; the first is the
  // paper's kind of pair: a weak, low-resolution edge model against the largest cloud one
  std::vector<std::string> pairs = {"detector-n160-street:detector-m-street", "detector-n-street:detector-m-street",
                                    "detector-s-street:detector-m-street"};
  std::vector<int> k_grid = {5, 10, 15, 20}, m_grid = {30, 45, 60, 100};
  // NAME=BANDWIDTH_MBPS:LATENCY_MS or NAME=TRACE_FILE:LATENCY_MS, applied to every link: §5.3.3's
  // WiFi throttled to 24 Mbit/s with 30 or 50 ms, and an LTE-like uplink trace.
  std::vector<std::string> networks = {"wifi-30=24:30", "wifi-50=24:50", "lte=topologies/traces/lte-uplink.csv:70"};
  std::vector<int> server_cameras = {8, 16, 32, 64, 96, 128};
  double server_fps = 0.5;          // each camera sends a frame every 2 s (§6.4: every 60 frames at 30 fps)
  double server_duration_s = 20;
  int server_repeats = 3;            // runs per camera count; the table holds their medians
  double server_p50_limit_ms = 500;  // Fig. 8's bound
  int repeats = 3;                   // runs of every pairs, grid and networks variant, seeds moved per run
  bool resume = false;               // a run whose report is there is read back, not run again
};

int bench_react(const bench_react_options& options);

}  // namespace troupe
