#include "actors/octocross/core/offload_projection.hpp"

#include <algorithm>

#include "actors/videojam/core/dispatcher.hpp"

namespace troupe::octocross {

mask offload_mask(const std::vector<node_outlook>& nodes, const std::vector<bool>& up, const matrix& a_net) {
  auto n = nodes.size();
  mask allowed(n, std::vector<bool>(n, false));
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      allowed[i][j] = i != j && up[i] && up[j] && nodes[i].load > nodes[i].mu && nodes[j].load < nodes[j].mu &&
                      a_net[i][j] > 0;
  return allowed;
}

matrix project(matrix m, const std::vector<node_outlook>& nodes, const mask& allowed, const projection_settings& s) {
  auto n = nodes.size();
  for (size_t i = 0; i < n; ++i) {
    double row = 0;
    for (size_t j = 0; j < n; ++j) {
      m[i][j] = allowed[i][j] ? std::clamp(m[i][j], 0.0, s.theta) : 0.0;
      row += m[i][j];
    }
    if (row > 1)
      for (auto& v : m[i])
        v /= row;
  }
  for (size_t j = 0; j < n; ++j) {
    double inflow = 0;
    for (size_t i = 0; i < n; ++i)
      inflow += m[i][j] * nodes[i].load;
    double room = s.headroom * std::max(0.0, nodes[j].mu - nodes[j].load);
    if (inflow > room)
      for (size_t i = 0; i < n; ++i)
        m[i][j] *= room / inflow;
  }
  return m;
}

matrix greedy_offloads(const std::vector<node_outlook>& nodes, const std::vector<bool>& up) {
  std::vector<size_t> at;  // the up nodes, as the policy indexes them
  std::vector<double> load, mu;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (up[i]) {
      at.push_back(i);
      load.push_back(nodes[i].load);
      mu.push_back(nodes[i].mu);
    }
  auto m = zeros(nodes.size());
  auto theta = videojam::unbalanced_load(videojam::balanced_load(load, mu), load);
  for (auto& t : videojam::offload_policy(theta))
    if (load[t.from] > 0)
      m[at[t.from]][at[t.to]] = t.items / load[t.from];
  return m;
}

}  // namespace troupe::octocross
