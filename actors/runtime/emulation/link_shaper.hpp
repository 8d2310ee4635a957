// Emulated links between nodes. A remote send to a node over a declared link is held
// back until its bytes have crossed it — queued behind earlier transfers on the same
// link, at the link's bandwidth then (a trace may vary it) — plus the link latency,
// all in deployment time. Sends to nodes without a declared link go at once.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/emulation/link_model.hpp"

namespace troupe {

// One direction of a link: the transfers it has queued. Pure, for the tests.
class link_queue {
 public:
  explicit link_queue(link_model model) : model_(std::move(model)) {}
  // Deployment time (s) at which `bytes` handed over at `now_s` have arrived.
  double arrival_s(double now_s, double bytes);

 private:
  link_model model_;
  double free_at_s_ = 0;  // the previous transfer's last byte leaves then
};

class link_shaper {
 public:
  // `origin_ns`: deployment time 0 for bandwidth traces.
  link_shaper(std::shared_ptr<clock> time, int64_t origin_ns);
  ~link_shaper();  // delivers what is still on the links at once

  void add(const std::string& peer_node, link_model model);
  bool has(const std::string& peer_node) const;
  // Runs `deliver` when `bytes` sent now to `peer_node` arrive there.
  void send(const std::string& peer_node, size_t bytes, std::function<void()> deliver);

 private:
  struct pending {
    std::chrono::steady_clock::time_point due;
    uint64_t order;  // equal due times leave in sending order
    std::function<void()> deliver;
    bool operator>(const pending& o) const { return due != o.due ? due > o.due : order > o.order; }
  };
  void run();

  std::shared_ptr<clock> time_;
  int64_t origin_ns_;
  mutable std::mutex mtx_;
  std::condition_variable changed_;
  std::map<std::string, link_queue> links_;
  std::priority_queue<pending, std::vector<pending>, std::greater<pending>> queue_;
  uint64_t order_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace troupe
