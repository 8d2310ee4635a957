// One segment's configuration problem (penance.txt §3.4.1): eq. 2, the cheapest
// configuration whose upload fits the bandwidth and whose accuracy meets the target;
// when none does, eq. 3, the most accurate one that fits. Optimal solves it with the
// truth, Periodic Profiling and DAO-C with their estimates of the accuracy.
#pragma once

#include <vector>

#include "actors/penance/core/config_space.hpp"

namespace troupe::penance {

// What a rule knows of segment i.
struct segment_view {
  std::vector<double> bytes;     // per setting: b_i(r, q)
  std::vector<double> accuracy;  // per configuration: λ_i(r, q, v)
};

enum class solved_by {
  cheapest,      // eq. 2
  most_accurate, // eq. 3: no configuration meets the target within the bandwidth
  smallest,      // nothing fits: the smallest setting's most accurate model, which the link may yet carry
};

struct decision {
  size_t config;
  solved_by by;
};

// `budget_bytes` = B_i · T. Ties go to the more accurate, then the smaller. Throws
// std::invalid_argument when the view's sizes do not match the space or the cost.
decision solve(const config_space& space, const std::vector<double>& cost, const segment_view& view,
               double accuracy_target, double budget_bytes);

}  // namespace troupe::penance
