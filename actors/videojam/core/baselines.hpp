// The baselines VideoJam's thesis compares against (§3.5.2), as pure functions:
// Distream's stochastic partition between the cameras' devices (Ends) and the Edge.
// (WRR's rotation is the shared weighted_round_robin, actors/common/core/load_split.hpp.)
#pragma once

#include <cstddef>
#include <vector>

namespace troupe::videojam {

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
