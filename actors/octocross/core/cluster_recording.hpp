// What the scheduler samples every second (Alg. 1 lines 5–6), kept in memory for
// finetuning and written as a trace for training: one row per node and second. A trace
// describes itself — its first line names the layout and the SLO — so a model trains
// from traces alone:
//
//   # octocross trace; slo_ms: 200; edges: cam1-cam2, cam2-cam3
//   t_s,node,objects,mu,busy,queue_s,up,delays_ms
//   1,cam1,12,30,0.4,0,1,cam2:12.5;cam3:40.1
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "actors/octocross/core/cluster_views.hpp"

namespace troupe::octocross {

// One second of every node, in slot order.
struct cluster_sample {
  double t_s = 0;
  std::vector<double> objects, mu, busy, queue_s;  // objects/s arrived, computed per busy second
  std::vector<bool> up;
  matrix delay_ms;                                 // probed i→j; negative: not measured
  static cluster_sample empty(size_t n, double t_s);
};

struct cluster_recording {
  std::vector<std::string> nodes;  // slot order
  std::vector<std::pair<size_t, size_t>> edges;
  double slo_ms = 200;
  std::vector<cluster_sample> samples;
};

std::string trace_header(const cluster_recording& r);
std::string trace_rows(const cluster_recording& r, const cluster_sample& s);
// Throws std::runtime_error "file:line: what" on a line it cannot read.
cluster_recording read_trace(const std::string& path);

// The model's input at a moment: the τ samples before it, and the views of the last.
struct cluster_state {
  matrix history;              // N×τ objects/s, oldest first; 0 while a node was away
  std::vector<double> mu;      // objects/s each node computes (last measured)
  std::vector<bool> up;
  std::vector<size_t> slot;    // each node's stable row of P (its index here)
  matrix a_phys, a_net, a_res;
};

// The state before sample `end` (samples end−τ … end−1); needs end ≥ τ.
cluster_state state_before(const cluster_recording& r, size_t end, size_t tau);
// Shows every node without a row of P (slot ≥ n_max) to the model as away: not up, in
// slot 0, its rows and columns of the views zeroed.
void mask_unplaced(cluster_state& s, const std::vector<size_t>& slots, size_t n_max);

// What came next: objects/s of samples end … end+τ−1 (the forecast's label), N×τ.
matrix load_after(const cluster_recording& r, size_t end, size_t tau);
// Whether a node up at sample end−1 is away in one of samples end … end+τ−1: that
// window's label drops to 0 for a node its input shows working, a departure no
// workload forecast can foresee, so such windows teach nothing and are left out.
bool departs_within(const cluster_recording& r, size_t end, size_t tau);

}  // namespace troupe::octocross
