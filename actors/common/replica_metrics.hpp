// A model replica's Prometheus series (docs/metrics.md), as Triton's users expect them:
// requests, successes, drops by cause, queue and compute time, batch size, busy time and
// energy, labelled with the replica and its model. Made once when the replica starts;
// every kind of replica (detector, VideoJam function, Penance segmenter) fills the same.
#pragma once

#include <string>

#include "actors/runtime/metrics/registry.hpp"

namespace troupe {

struct replica_metrics {
  replica_metrics(metrics::registry& r, const std::string& replica, const std::string& model);

  // One computed batch of `items`, computed in `compute_s` (each item's wait: queue_seconds).
  void batch_done(size_t items, double compute_s);
  void dropped(const std::string& cause, uint64_t n = 1);

  metrics::registry& registry;
  metrics::labels labels;
  metrics::counter &requests, &successes, &busy_seconds, &energy_joules;
  metrics::histogram &queue_seconds, &compute_seconds, &batch_size;
  metrics::gauge &queue_length, &busy_ratio, &parallel;
};

}  // namespace troupe
