// The load balancer in front of a pipeline function's replica, as one strategy per
// balancer the thesis compares (§3.5.2): VideoJam's own (§3.4), none, weighted round
// robin and Distream; and `plan`, which follows an offloading plan sent from outside
// (OctoCross's scheduler). A strategy decides and returns what to do; the replica's actor
// carries it out (sends, holds, announces) and tells the strategy what happened.
// The state table, its messages and the monitoring slots are shared mechanics that
// live in the actor; only the rules that differ live here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/videojam/core/offload_plan.hpp"
#include "actors/videojam/core/table.hpp"

namespace troupe::videojam {

// distream: full-stochastic partitioning (a draw at every function); distream_semi:
// semi-stochastic (a draw only at the partition point), the thesis's two variants.
enum class balancer_kind { videojam, none, wrr, distream, distream_semi, plan };

struct balancer_settings {
  size_t window_slots = 10;          // k
  size_t history_slots = 50;         // h
  double error_threshold = 0.5;      // prediction error that calls for a state update
  std::string forecaster;            // naive (empty), or a weight file from train-forecaster; distream
                                     // balances on current queues unless one is given
  std::string edge;                  // distream: the Edge's replica of this function; empty on the Edge
  uint64_t seed = 1;                 // distream's partition draws
  double slo_ms = 0;                 // distream: an End whose probed delay leaves no slack under it takes nothing
  size_t stage = 0, stages = 1;      // distream_semi: this function's place in its pipeline
};

// The replica as a rule sees it: its table (own row first) and its queue now.
struct replica_now {
  const state_table& table;
  double queue_length = 0;
  const std::map<std::string, double>* link_delay_ms = nullptr;  // probed, to the replicas it probes
};

// What a window's close asks of the replica, in this order.
struct window_plan {
  std::optional<double> partition;  // distream's Edge: announce this share of the items
  std::string release_held_to;      // distream's End: send what waited for the Edge, if it is up
  std::vector<std::pair<std::string, size_t>> send_queued;  // newest queued items to each, at most the queue
};

// What an offload's receiver answers (§3.4.2).
enum class offload_verdict { accept, congestion_risk, state_update };

// What becomes of items routed to a replica that is not up: lost (counted), held
// until it returns (Distream's Edge), or kept in the own queue (a plan's target
// that left: counted as kept).
enum class away_policy { lose, hold, keep };

class balancer {
 public:
  struct timings {
    std::vector<double> dispatch_us, forecast_us;  // the last 100 windows
    uint64_t reactions = 0;                        // plans remade within a window
  };

  virtual ~balancer() = default;
  // Whether it keeps a state table with its neighbours (bootstrap, requests, updates).
  virtual bool exchanges_state() const = 0;
  // Where an arriving item goes; empty: the own queue. (Per item: reads the table only.)
  virtual std::string route(const state_table& table) = 0;
  // The replica sent `items` to `replica`.
  virtual void sent(const std::string& replica, size_t items);
  // An offload of `items` arrived from `sender`, whose table is already learnt.
  virtual offload_verdict received(const std::string& sender, size_t items, const replica_now& now);
  // `replica` signalled congestion: nothing more to it this window.
  virtual void congested(const std::string& replica);
  // `replica` is gone: out of this window's plan.
  virtual void lost(const std::string& replica);
  // What becomes of items for `replica` while it is away.
  virtual away_policy when_away(const std::string& replica) const;
  // A checked plan (offload_plan.hpp) to follow from now on; false: it follows none.
  virtual bool follow(const std::vector<offload_share>& shares);
  // The window closes (the own row is already updated): this window's plan.
  virtual window_plan close_window(const replica_now& now) = 0;
  // A slot that does not close a window ended with `arrivals` (already in the own
  // row's history): a new plan for the rest of the window when the strategy reacts.
  virtual std::optional<window_plan> slot_closed(double arrivals, const replica_now& now);

  const timings& time_spent() const { return timings_; }

 protected:
  timings timings_;
};

std::unique_ptr<balancer> make_balancer(balancer_kind kind, const balancer_settings& settings);

}  // namespace troupe::videojam
