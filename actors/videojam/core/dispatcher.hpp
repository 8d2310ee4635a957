// VideoJam's Dispatcher (videojam-roomie-thesis.txt, §3.4.4, Algorithm 1) as pure
// functions: every load balancer runs them on its state table each window and acts on
// the transfers that leave from its own row. Loads are items; rates are items per slot.
#pragma once

#include <string>
#include <vector>

namespace troupe::videojam {

// φ_{W_{j+1}} = φ̃_{W_j} + Σ_{w∈W_j} (λ_w − μ) + δ (eq. 3.1), at least 0.
double next_queue(double queue, const std::vector<double>& window_arrivals, double mu, double exchanged);

// φ̃ = φ_{W_{j+1}} + Σ_{w∈W_{j+1}} λ_w (eq. 3.2): queue plus forecast arrivals.
double global_load(double queue, const std::vector<double>& forecast);

// The load each replica should hold so that all finish together: its share of the
// total in proportion to its rate, φ̄_n = μ_n Σφ̃ / Σμ (eq. 3.3, as its text states;
// see docs/videojam.md for why not the printed weighted mean).
std::vector<double> balanced_load(const std::vector<double>& global, const std::vector<double>& mu);

// θ_n = φ̄_n − φ̃_n (eq. 3.4): > 0 has room, < 0 must shed load.
std::vector<double> unbalanced_load(const std::vector<double>& balanced, const std::vector<double>& global);

struct transfer {
  size_t from = 0, to = 0;
  double items = 0;
};

// Algorithm 1, lines 14–27: the most overloaded sheds to the least loaded until one
// side is exhausted. A replica only sends or only receives, never both, so no two
// replicas send load to each other. Imbalances below `epsilon` items count as none.
std::vector<transfer> offload_policy(std::vector<double> theta, double epsilon = 1e-6);

struct replica_view {
  std::string replica;
  double mu = 0;                       // items per slot
  double queue = 0;                    // φ at the start of the window being closed
  std::vector<double> window_arrivals; // λ over that window (k slots)
  double exchanged = 0;                // δ over that window
  std::vector<double> forecast;        // λ over the next window (k slots)
  bool own = false;                    // the row of the balancer computing: its queue is measured
};

struct dispatch {
  std::vector<double> queue, global, balanced, theta;
  std::vector<transfer> transfers;
};

// Lines 1–13 then the policy: queues of neighbours estimated (3.1), the own one taken
// as is; global (3.2), balanced (3.3) and unbalanced (3.4) loads; transfers.
dispatch dispatcher(const std::vector<replica_view>& rows);

// Items `self` should send to each replica under `d` (zero for itself and receivers).
std::vector<double> outgoing(const dispatch& d, size_t self);
// Items `self` should expect from `sender` under `d`.
double expected_from(const dispatch& d, size_t sender, size_t self);

}  // namespace troupe::videojam
