#include "actors/runtime/metrics/flow_counters.hpp"

#include <unordered_map>

namespace troupe::metrics {

namespace {

std::atomic<uint64_t> instances{0};

struct flow {
  counter* messages = nullptr;
  counter* bytes = nullptr;
};

}  // namespace

flow_counters::flow_counters(registry& r) : registry_(r), id_(++instances) {}

void flow_counters::count(const std::string& from, const std::string& to, size_t bytes) {
  // instance -> from -> to: found without building a key or taking a lock.
  thread_local std::unordered_map<uint64_t, std::unordered_map<std::string, std::unordered_map<std::string, flow>>> index;
  auto& f = index[id_][from][to];
  if (f.messages == nullptr) {
    std::lock_guard<std::mutex> lock(mtx_);
    labels l = {{"from", from}, {"to", to}};
    f.messages = &registry_.counter_for("troupe_flow_messages_total", "Messages from an actor to a receiver or topic", l);
    f.bytes = &registry_.counter_for("troupe_flow_bytes_total",
                                     "Envelope bytes from an actor to a receiver or topic over the bus", l);
  }
  f.messages->add(1);
  f.bytes->add(double(bytes));
}

}  // namespace troupe::metrics
