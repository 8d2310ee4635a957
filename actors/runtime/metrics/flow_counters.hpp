// Messages and bytes from each actor to each receiver (or topic): the rates of the
// deployment's graph, as `troupe_flow_messages_total{from,to}` and
// `troupe_flow_bytes_total{from,to}` (bytes: envelopes that crossed the bus; a send to an
// actor on the same node carries none). Called on every send: each thread keeps its
// own index of the series, so a send takes no lock once its flow is known.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "actors/runtime/metrics/registry.hpp"

namespace troupe::metrics {

class flow_counters {
 public:
  explicit flow_counters(registry& r);
  void count(const std::string& from, const std::string& to, size_t bytes);

 private:
  registry& registry_;
  std::mutex mtx_;     // making a flow's series
  const uint64_t id_;  // never reused: a thread's index of a destroyed instance is never read again
};

}  // namespace troupe::metrics
