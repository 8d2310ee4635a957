// A system's decisions as Prometheus series (docs/metrics.md): how long each took to
// decide, `troupe_system_decision_seconds{system,actor}`, and the size of the plan now in
// force, `troupe_system_plan_size{system,actor}` (what "size" counts is the system's:
// ReMO's regions assigned, a balancer's offload targets, ROOMIE's replicas placed).
#pragma once

#include <chrono>
#include <string>

#include "actors/runtime/metrics/registry.hpp"

namespace troupe {

class decision_metrics {
 public:
  decision_metrics(metrics::registry& r, const std::string& system, const std::string& actor);

  void decided(double seconds, double plan_size);
  // Times the decision from `since` (steady clock) to now.
  void decided(std::chrono::steady_clock::time_point since, double plan_size);

 private:
  metrics::histogram& seconds_;
  metrics::counter& decisions_;
  metrics::gauge& plan_size_;
};

}  // namespace troupe
