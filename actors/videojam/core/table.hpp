// A VideoJam load balancer's state table (§3.4.3) and the rules of its messages
// (§3.4.2): which rows a received table may replace, when a row is stale, when a lost
// neighbour leaves the policy and when it comes back, when an offload is answered
// with a congestion-risk signal and when a prediction error calls for a state update.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "actors/videojam/core/dispatcher.hpp"

namespace troupe::videojam {

struct load_row {
  std::string replica;
  double mu = 0;                 // items per slot
  std::vector<double> history;   // arrivals per slot, oldest first
  double queue = 0;              // items waiting when the owner's last window began
  double exchanged = 0;          // δ over that window
  int64_t at_ns = 0;             // when the owner measured it
  uint64_t window = 0;
  double partition = 0;          // Distream's edge share, set by the edge
};

class state_table {
 public:
  explicit state_table(std::string self);

  const std::string& self() const { return rows_.front().replica; }
  load_row& own() { return rows_.front(); }
  const std::vector<load_row>& rows() const { return rows_; }  // own row first
  const load_row* find(const std::string& replica) const;

  // A row the replica sent about itself (bootstrap, reply, prediction error): replaces
  // an older one, and brings a replica that was excluded as lost back into the policy.
  bool update_from_owner(const load_row& row);
  // Rows of a neighbour's table: each replaces ours when newer; never our own row, never
  // an excluded replica (only the replica itself can say it is back). Returns how many.
  size_t merge(const std::vector<load_row>& rows);
  // Lost (its node went down, it exited): out of the policy until it speaks again.
  void exclude(const std::string& replica);
  bool excluded(const std::string& replica) const;
  // Neighbours whose row is older than `max_age_ns` (the paper's r windows): ask them.
  std::vector<std::string> stale(int64_t now_ns, int64_t max_age_ns) const;

 private:
  std::vector<load_row> rows_;
  std::vector<std::string> excluded_;
};

// The dispatcher's view of the table: each row's last window (k slots of its history)
// and its forecast; the own row holds `own_queue_now`, measured rather than estimated.
std::vector<replica_view> views(const state_table& table, size_t k,
                                const std::vector<std::vector<double>>& forecasts, double own_queue_now);

// §3.4.2, data offloading: a receiver that is itself offloading under its current
// policy recomputes it with the sender's table; if it is then not expected to receive
// from the sender, it signals congestion risk.
bool signals_congestion_risk(bool offloading_now, double expected_after_recompute);

// §3.4.2, state update on a prediction error: the sender has sent more than this
// balancer expected from it this window by more than `threshold` of the expectation
// (at least one item's worth).
bool prediction_error(double received, double expected, double threshold);

// §3.4.3: "when the predicted workload deviates from the actual workload during the
// monitoring phase, the Monitor can detect it and react": the arrivals of the window's
// slots so far differ from their forecast, either way, by more than `threshold` of the
// forecast and by more than one item.
bool forecast_missed(double arrived, double forecast, double threshold);

}  // namespace troupe::videojam
