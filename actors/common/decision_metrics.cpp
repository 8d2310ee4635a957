#include "actors/common/decision_metrics.hpp"

namespace troupe {

namespace {

// Decisions run from microseconds (a rule) to seconds (a search).
std::vector<double> decision_buckets() {
  return {1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1, 3, 10};
}

}  // namespace

decision_metrics::decision_metrics(metrics::registry& r, const std::string& system, const std::string& actor)
    : seconds_(r.histogram_for("troupe_system_decision_seconds", "Time a system's decision took (wall clock)",
                               {{"system", system}, {"actor", actor}}, decision_buckets())),
      decisions_(r.counter_for("troupe_system_decisions_total", "Decisions a system's actor made",
                               {{"system", system}, {"actor", actor}})),
      plan_size_(r.gauge_for("troupe_system_plan_size", "Size of the system's plan now in force",
                             {{"system", system}, {"actor", actor}})) {}

void decision_metrics::decided(double seconds, double plan_size) {
  seconds_.observe(seconds);
  decisions_.add();
  plan_size_.set(plan_size);
}

void decision_metrics::decided(std::chrono::steady_clock::time_point since, double plan_size) {
  decided(std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count(), plan_size);
}

}  // namespace troupe
