// A node's emulated network, in deployment time. A send to another node leaves through
// the node's uplink when it has one (a shaped interface every flow shares, as tc's
// tbf: rate, burst, a queue bound beyond which messages are dropped), then crosses the
// point-to-point link to that node when one is declared (its own bandwidth, queued
// behind earlier transfers on it, and latency; a link may be latency only). What
// arrives from another node enters through the node's downlink when it has one.
// Sends and arrivals with nothing declared go at once.
#pragma once

#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/emulation/interface_rates.hpp"
#include "actors/runtime/emulation/link_model.hpp"
#include "actors/runtime/emulation/token_bucket.hpp"

namespace troupe {

// One direction of a link: the transfers it has queued. Pure, for the tests.
class link_queue {
 public:
  explicit link_queue(link_model model) : model_(std::move(model)) {}
  // Deployment time (s) at which `bytes` handed over at `now_s` have arrived; nullopt
  // when they would arrive after `deadline_s`: the sender cuts the transfer then, the
  // link busy with its first part until the deadline (nothing when it could not start).
  std::optional<double> arrival_s(double now_s, double bytes,
                                  double deadline_s = std::numeric_limits<double>::infinity());

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
  void set_uplink(token_bucket uplink);
  void set_downlink(token_bucket downlink);
  // Whether a send to `peer_node` crosses anything emulated.
  bool shapes(const std::string& peer_node) const;
  bool shapes_arrivals() const;
  enum class outcome { sent, dropped, cut };
  // Runs `deliver` when `bytes` sent now to `peer_node` arrive there. Nothing runs when
  // the uplink's queue bound dropped them, or when they would arrive after
  // `deadline_ns` (deployment clock; 0: none) and were cut. ⚑ An uplink is charged
  // for a send it cuts, as if the send had started; a link only for what it carried.
  outcome send(const std::string& peer_node, size_t bytes, std::function<void()> deliver, int64_t deadline_ns = 0);
  // Runs `deliver` when `bytes` arriving now have come through the downlink; false,
  // and nothing runs, when it dropped them.
  bool arrive(size_t bytes, std::function<void()> deliver);

  struct interface_counts {
    bool shaped = false;
    token_bucket::counters counts;
    double backlog_s = 0;  // deployment time a message offered now would queue
  };
  interface_counts uplink() const;
  interface_counts downlink() const;
  struct cut_counts {
    uint64_t sends = 0;
    double bytes = 0;
  };
  cut_counts cuts() const;  // sends cut at their deadline
  interface_rates offered_rates() const;

 private:
  struct pending {
    std::chrono::steady_clock::time_point due;
    uint64_t order;  // equal due times leave in sending order
    std::function<void()> deliver;
    bool operator>(const pending& o) const { return due != o.due ? due > o.due : order > o.order; }
  };
  void run();
  double now_s() const;
  // With mtx_ held: `deliver` runs at deployment time `at_s`, `now_s` being now.
  void deliver_at(double now_s, double at_s, std::function<void()> deliver);

  std::shared_ptr<clock> time_;
  int64_t origin_ns_;
  mutable std::mutex mtx_;
  std::condition_variable changed_;
  std::map<std::string, link_queue> links_;
  std::optional<token_bucket> uplink_, downlink_;
  cut_counts cuts_;
  std::priority_queue<pending, std::vector<pending>, std::greater<pending>> queue_;
  uint64_t order_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace troupe
