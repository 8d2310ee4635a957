// Splitting a stream of items over several places in given proportions, one item at a
// time: VideoJam's WRR baseline, its offload spreader, and plan-following balancers
// (a share kept, shares sent to each target) all draw their next item's place here.
#pragma once

#include <cstddef>
#include <vector>

namespace troupe {

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

}  // namespace troupe
