// `troupe penance-perf`: issue 18's per-segment speed goals on this machine (§6, one
// core: run it under `taskset -c 0`), each the median of repeated runs on a street
// drive's segments with min–max and the goal beside it.
#pragma once

#include <cstdint>
#include <string>

namespace troupe {

struct penance_perf_options {
  std::string estimator = "build/models/penance-estimator.pt";
  std::string adapter = "build/models/penance-adapter.pt";  // its performance encoder too
  std::string models = "build/models/segmenter-{v}.pt";
  int width = 640;       // the drive's frame width; the height is 9/16 of it
  int segments = 5;      // segments of the drive measured, each once per part
  uint64_t seed = 1001;  // the drive (a test drive's seed)
};

int penance_perf_command(const penance_perf_options& o);

}  // namespace troupe
