#include "actors/videojam/core/baselines.hpp"

#include <algorithm>
#include <numeric>

namespace troupe::videojam {

size_t weighted_round_robin::pick(const std::vector<double>& weights) {
  credit_.resize(weights.size(), 0.0);
  double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (size_t i = 0; i < weights.size(); ++i)
    credit_[i] += weights[i];
  auto best = size_t(std::max_element(credit_.begin(), credit_.end()) - credit_.begin());
  credit_[best] -= total;
  return best;
}

double distream_edge_share(double edge_mu, const std::vector<double>& end_mu) {
  double total = edge_mu + std::accumulate(end_mu.begin(), end_mu.end(), 0.0);
  return total > 0 ? edge_mu / total : 0.0;
}

}  // namespace troupe::videojam
