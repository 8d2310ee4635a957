#include "actors/common/core/load_split.hpp"

namespace troupe {

size_t weighted_round_robin::pick(const std::vector<double>& weights) {
  credit_.resize(weights.size(), 0.0);
  double total = 0;
  size_t best = weights.size();
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] > 0))
      continue;  // out of the rotation: earns nothing, is never picked
    credit_[i] += weights[i];
    total += weights[i];
    if (best == weights.size() || credit_[i] > credit_[best])
      best = i;
  }
  if (best == weights.size())
    return 0;
  credit_[best] -= total;
  return best;
}

}  // namespace troupe
