// The baselines VideoJam's thesis compares against (§3.5.2), as pure functions:
// weighted round robin over the replicas of a function, weighted by their rates, and
// Distream's stochastic partition between the cameras' devices (Ends) and the Edge.
#pragma once

#include <cstddef>
#include <vector>

namespace troupe::videojam {

// Smooth weighted round robin: every pick adds each weight to its credit, takes the
// largest credit and takes the weights' total off it, so picks interleave in
// proportion to the weights. A weight of 0 is out of the rotation; with no positive
// weight the pick is 0. Credits belong to positions: keep them stable.
class weighted_round_robin {
 public:
  size_t pick(const std::vector<double>& weights);

 private:
  std::vector<double> credit_;
};

// Distream's partition point as the share of a function's items an End hands to the
// Edge: the Edge's part of the compute, μ_edge / (μ_edge + Σ μ_end).
double distream_edge_share(double edge_mu, const std::vector<double>& end_mu);

// Distream's semi-stochastic partitioning (§3.5.2: "the random value is drawn only at
// the partition point ... the point in the pipeline that evenly splits it
// proportionally to the compute power"): a pipeline of `stages` functions is split at
// p = (1 − edge_share) × stages; functions before ⌊p⌋ stay on the End, those after go
// to the Edge, and only the function at ⌊p⌋ draws, staying with probability p − ⌊p⌋.
// Returns the probability that an End hands an item of function `stage` to the Edge.
double semi_stochastic_to_edge(double edge_share, size_t stage, size_t stages);

}  // namespace troupe::videojam
