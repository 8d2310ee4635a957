// The rules Penance is compared with (penance.txt §4.1.3) that need no learning, as
// policies over the replay: Optimal sees every segment's true sizes and accuracies;
// Periodic Profiling profiles each video's first frame on every configuration once
// (against the costliest configuration's prediction, as it has no labels) and then
// searches exhaustively with the true sizes. Both solve eqs. 2–3 (core/problem).
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/segment_table.hpp"

namespace troupe::penance {

// What a rule may know when segment i is ready.
struct decision_context {
  const drive_table* table;
  size_t segment;
  double accuracy_target;  // A_i
  double budget_bytes;     // B_i · T
};

class config_policy {
 public:
  virtual ~config_policy() = default;
  virtual size_t choose(const decision_context& c) = 0;
  // Multiply-accumulates the rule spends on a drive besides segmenting it (profiling).
  virtual double overhead_macs(const drive_table& t) const { return 0; }
};

// `cost` per configuration (core/cost).
std::unique_ptr<config_policy> optimal_policy(const config_space& space, std::vector<double> cost);
std::unique_ptr<config_policy> periodic_profiling_policy(const config_space& space, std::vector<double> cost);

// DAO-C: the accuracies a predictor on the device gives for each segment (from its
// first frame), the true sizes, the same search.
using accuracy_source = std::function<std::vector<double>(const drive_table& t, size_t segment)>;
std::unique_ptr<config_policy> predicted_accuracy_policy(const config_space& space, std::vector<double> cost,
                                                         accuracy_source predicted);

// The accuracies a rule reads from a table: segment i's truth, or the profile of
// segment `first`'s first frame against the costliest configuration.
std::vector<double> true_accuracies(const config_space& space, const drive_table& t, size_t segment);
std::vector<double> profiled_accuracies(const config_space& space, const drive_table& t, size_t first);

}  // namespace troupe::penance
