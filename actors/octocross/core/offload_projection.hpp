// From scores to a plan that can be carried out (octocross.txt §3.1, "Offloading
// head"): a binary mask lets a node offload only when it is overloaded, only to a node
// that is not, both up and linked; the projection then clamps each share to θ, each
// row to all of its arrivals, and each target's inflow to the room it has.
#pragma once

#include <vector>

#include "actors/octocross/core/cluster_views.hpp"

namespace troupe::octocross {

// A node as a decision sees it, in objects per second.
struct node_outlook {
  double load = 0;  // mean forecast Ĥ over the decision period
  double mu = 0;    // what it computes per second when busy
};

struct projection_settings {
  double theta = 0.5;      // ⚑ the paper names θ without a value: the most of its arrivals a node sends one target
  double headroom = 0.9;   // a target takes at most this share of its room, μ_j − Ĥ_j
};

using mask = std::vector<std::vector<bool>>;

// i→j only when Ĥ_i > μ_i, Ĥ_j < μ_j, both up, and the network view has a link
// (A_net_ij > 0: measured, and not masked).
mask offload_mask(const std::vector<node_outlook>& nodes, const std::vector<bool>& up, const matrix& a_net);

// Masked entries and negative scores to 0; M_ij ≤ θ; Σ_j M_ij ≤ 1; then each column j
// scaled so that Σ_i M_ij Ĥ_i ≤ headroom (μ_j − Ĥ_j). Every step only lowers entries,
// so one pass meets all three bounds.
matrix project(matrix m, const std::vector<node_outlook>& nodes, const mask& allowed, const projection_settings& s);

// The model-free scheduler (GNN_LSTM's, ⚑ the paper gives none): VideoJam's greedy
// offload policy (Algorithm 1, lines 14–27) on the forecast loads of the up nodes,
// each transfer as the share of the sender's load.
matrix greedy_offloads(const std::vector<node_outlook>& nodes, const std::vector<bool>& up);

}  // namespace troupe::octocross
