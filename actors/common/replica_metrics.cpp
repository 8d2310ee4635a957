#include "actors/common/replica_metrics.hpp"

namespace troupe {

namespace {

std::vector<double> batch_buckets() {
  return {1, 2, 4, 8, 16, 32, 64, 128};
}

}  // namespace

replica_metrics::replica_metrics(metrics::registry& r, const std::string& replica, const std::string& model)
    : registry(r), labels{{"replica", replica}, {"model", model}},
      requests(r.counter_for("troupe_replica_requests_total", "Items offered to the replica", labels)),
      successes(r.counter_for("troupe_replica_successes_total", "Items the replica computed and answered", labels)),
      busy_seconds(r.counter_for("troupe_replica_busy_seconds_total",
                                 "Deployment time the replica's device spent computing", labels)),
      energy_joules(r.counter_for("troupe_replica_energy_joules_total",
                                  "Energy of the replica's device profile over busy and idle time", labels)),
      queue_seconds(r.histogram_for("troupe_replica_queue_seconds", "Time an item waited in the replica's queue",
                                    labels, metrics::latency_buckets())),
      compute_seconds(r.histogram_for("troupe_replica_compute_seconds", "Time one batch took to compute", labels,
                                      metrics::latency_buckets())),
      batch_size(r.histogram_for("troupe_replica_batch_size", "Items per computed batch", labels, batch_buckets())),
      queue_length(r.gauge_for("troupe_replica_queue_length", "Items waiting in the replica's queue", labels)),
      busy_ratio(r.gauge_for("troupe_replica_busy_ratio",
                             "Busy time over the last statistics interval, per unit of parallelism", labels)),
      parallel(r.gauge_for("troupe_replica_parallelism", "Batches the replica can compute at once", labels)) {}

void replica_metrics::batch_done(size_t items, double compute_s) {
  successes.add(double(items));
  compute_seconds.observe(compute_s);
  batch_size.observe(double(items));
}

void replica_metrics::dropped(const std::string& cause, uint64_t n) {
  auto l = labels;
  l.emplace_back("cause", cause);
  registry.counter_for("troupe_replica_drops_total", "Items the replica dropped, by cause", l).add(double(n));
}

}  // namespace troupe
