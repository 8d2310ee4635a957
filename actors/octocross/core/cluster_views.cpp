#include "actors/octocross/core/cluster_views.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace troupe::octocross {

namespace {

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

long index_of(const std::vector<std::string>& nodes, const std::string& name) {
  auto it = std::find(nodes.begin(), nodes.end(), name);
  return it == nodes.end() ? -1 : long(it - nodes.begin());
}

std::pair<size_t, size_t> parse_pair(const std::string& pair, const std::vector<std::string>& nodes) {
  std::vector<std::pair<size_t, size_t>> splits;
  for (auto dash = pair.find('-'); dash != std::string::npos; dash = pair.find('-', dash + 1)) {
    auto a = index_of(nodes, trimmed(pair.substr(0, dash))), b = index_of(nodes, trimmed(pair.substr(dash + 1)));
    if (a >= 0 && b >= 0)
      splits.emplace_back(size_t(a), size_t(b));
  }
  if (splits.size() > 1)
    throw std::runtime_error("edge '" + pair + "' splits into node names in more than one way");
  if (splits.empty())
    throw std::runtime_error("edge '" + pair + "' is not two of the nodes joined by '-'");
  if (splits[0].first == splits[0].second)
    throw std::runtime_error("edge '" + pair + "' joins a node to itself");
  return splits[0];
}

}  // namespace

matrix zeros(size_t n) {
  return matrix(n, std::vector<double>(n, 0.0));
}

std::vector<std::pair<size_t, size_t>> parse_edges(const std::string& text, const std::vector<std::string>& nodes) {
  std::vector<std::pair<size_t, size_t>> out;
  size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto pair = trimmed(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!pair.empty())
      out.push_back(parse_pair(pair, nodes));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return out;
}

matrix physical_view(size_t n, const std::vector<std::pair<size_t, size_t>>& edges, const std::vector<bool>& up) {
  auto a = zeros(n);
  for (auto [i, j] : edges)
    if (up[i] && up[j])
      a[i][j] = a[j][i] = 1;
  return a;
}

matrix network_view(const matrix& delay_ms, const std::vector<std::vector<bool>>& measured, double slo_ms,
                    const std::vector<bool>& up) {
  auto n = up.size();
  auto a = zeros(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (up[i] && up[j])
        a[i][j] = i == j ? 1.0 : measured[i][j] ? std::exp(-delay_ms[i][j] / slo_ms) : 0.0;
  return a;
}

matrix resource_view(const std::vector<double>& util, const std::vector<bool>& up) {
  auto n = up.size();
  auto a = zeros(n);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (up[i] && up[j])
        a[i][j] = std::max(0.0, 1 - util[j]);
  return a;
}

}  // namespace troupe::octocross
