#include "actors/videojam/core/baselines.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace troupe::videojam {

double distream_edge_share(double edge_mu, const std::vector<double>& end_mu) {
  double total = edge_mu + std::accumulate(end_mu.begin(), end_mu.end(), 0.0);
  return total > 0 ? edge_mu / total : 0.0;
}

double semi_stochastic_to_edge(double edge_share, size_t stage, size_t stages) {
  double p = (1 - edge_share) * double(stages);
  double cut = std::floor(p);
  if (double(stage) < cut)
    return 0;
  return double(stage) > cut ? 1 : 1 - (p - cut);
}

}  // namespace troupe::videojam
