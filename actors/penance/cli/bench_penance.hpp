// `troupe bench penance` (penance.txt §4.2, Figs. 14–15): every method on the test
// drives' replay — Optimal and Periodic Profiling with the truth, DAO-C with its
// predictor's accuracies, Penance and CASVA-C through their estimator and adapters — at each operating point, printed with
// the paper's figures beside and the pass bar, and written as JSON.
#pragma once

#include <string>
#include <vector>

#include "learning/penance_dataset.hpp"

namespace troupe {

struct bench_penance_options {
  learning::penance_dataset_options data;  // the test drives' tables
  std::string estimator = "build/models/penance-estimator.pt";
  std::string penance = "build/models/penance-adapter.pt";
  std::string casva = "build/models/casva-c-adapter.pt";  // empty or missing: CASVA-C is left out, said so
  std::string dao = "build/models/dao-c.pt";              // DAO-C's accuracy predictor, likewise
  std::vector<double> bandwidths = {0.4, 0.5, 0.6, 0.7, 0.8};  // Fig. 14 at A 0.65, MB/s at 1280×720
  std::vector<double> targets = {0.5, 0.6, 0.7};               // Fig. 15 at B 0.6
  double decide_s = 0.223, encode_ms_per_mp = 16, server_macs_per_s = 1e12;
  // The live leg (issue 18 §5 "Live"): the topology run on every test drive at A 0.65,
  // B 0.6 per learned method, beside the same drives' replay.
  bool live = false;
  std::string topology = "topologies/penance/penance.yaml";
  double live_target = 0.65, live_bandwidth = 0.6;  // A, and B in MB/s at 1280×720 (the link follows it)
  double live_duration_s = 0;  // 0: the drive's length and 5 s
  bool resume = false;         // a live run whose report is there is not run again
  std::string out_dir = "build/reports/bench-penance";
};

int bench_penance_command(const bench_penance_options& o);

}  // namespace troupe
