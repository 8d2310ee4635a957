// `troupe roomie-drop TRACE…`: how much models sharing one GPU slow each other, by
// ROOMIE's greedy estimate (Alg. 2) beside the reference simulation over random
// alignments — each trace's kernels, occupancy and T first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace troupe {

struct interference_options {
  std::vector<std::string> traces;
  std::string archs = "gpu/arch_limits.yaml";
  std::string share = "equal";
  int starts = 8;          // Alg. 2's n
  int alignments = 16;     // the simulation's random alignments
  uint64_t seed = 1;
};

int interference_command(const interference_options& o);

}  // namespace troupe
