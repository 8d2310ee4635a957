// Messages and bytes from each actor to each receiver (or topic): the rates of the
// deployment's graph, as `troupe_flow_messages_total{from,to}` and
// `troupe_flow_bytes_total{from,to}` (bytes: envelopes that crossed the bus; a send to an
// actor on the same node carries none). Called on every send, so the series are cached.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "actors/runtime/metrics/registry.hpp"

namespace troupe::metrics {

class flow_counters {
 public:
  explicit flow_counters(registry& r) : registry_(r) {}
  void count(const std::string& from, const std::string& to, size_t bytes);

 private:
  registry& registry_;
  std::mutex mtx_;
  std::unordered_map<std::string, std::pair<counter*, counter*>> flows_;  // "from\0to" -> messages, bytes
};

}  // namespace troupe::metrics
