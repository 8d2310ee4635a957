#include "actors/runtime/metrics/flow_counters.hpp"

namespace troupe::metrics {

void flow_counters::count(const std::string& from, const std::string& to, size_t bytes) {
  thread_local std::string key;
  key.assign(from).push_back('\0');
  key.append(to);
  std::pair<counter*, counter*> flow;
  {
    std::lock_guard<std::mutex> lock(mtx_);
    auto& f = flows_[key];
    if (f.first == nullptr) {
      labels l = {{"from", from}, {"to", to}};
      f.first = &registry_.counter_for("troupe_flow_messages_total", "Messages from an actor to a receiver or topic", l);
      f.second = &registry_.counter_for("troupe_flow_bytes_total",
                                        "Envelope bytes from an actor to a receiver or topic over the bus", l);
    }
    flow = f;
  }
  flow.first->add(1);
  flow.second->add(double(bytes));
}

}  // namespace troupe::metrics
