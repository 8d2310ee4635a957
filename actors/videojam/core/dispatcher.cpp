#include "actors/videojam/core/dispatcher.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

namespace troupe::videojam {

double next_queue(double queue, const std::vector<double>& window_arrivals, double mu, double exchanged) {
  double q = queue + exchanged;
  for (double lambda : window_arrivals)
    q += lambda - mu;  // eq. 3.1
  return std::max(0.0, q);  // an idle replica's spare rate does not make a negative queue
}

double global_load(double queue, const std::vector<double>& forecast) {
  return queue + std::accumulate(forecast.begin(), forecast.end(), 0.0);  // eq. 3.2
}

std::vector<double> balanced_load(const std::vector<double>& global, const std::vector<double>& mu) {
  if (global.size() != mu.size())
    throw std::invalid_argument("balanced_load: one rate per load");
  double total_load = std::accumulate(global.begin(), global.end(), 0.0);
  double total_mu = std::accumulate(mu.begin(), mu.end(), 0.0);
  std::vector<double> out(global.size(), 0.0);
  for (size_t n = 0; n < global.size(); ++n)  // eq. 3.3
    out[n] = total_mu > 0 ? mu[n] * total_load / total_mu : total_load / double(global.size());
  return out;
}

std::vector<double> unbalanced_load(const std::vector<double>& balanced, const std::vector<double>& global) {
  std::vector<double> theta(global.size());
  for (size_t n = 0; n < global.size(); ++n)
    theta[n] = balanced[n] - global[n];  // eq. 3.4
  return theta;
}

std::vector<transfer> offload_policy(std::vector<double> theta, double epsilon) {
  std::vector<transfer> out;
  auto add = [&](size_t from, size_t to, double items) {
    for (auto& t : out)
      if (t.from == from && t.to == to) {
        t.items += items;
        return;
      }
    out.push_back({from, to, items});
  };
  while (!theta.empty()) {  // Algorithm 1, lines 14–27
    auto n = size_t(std::min_element(theta.begin(), theta.end()) - theta.begin());
    auto m = size_t(std::max_element(theta.begin(), theta.end()) - theta.begin());
    if (theta[n] > -epsilon || theta[m] < epsilon)
      break;
    double q = -theta[n];
    if (q < theta[m]) {
      add(n, m, q);
      theta[n] = 0;
      theta[m] -= q;
    } else {
      add(n, m, theta[m]);
      theta[n] += theta[m];
      theta[m] = 0;
    }
  }
  return out;
}

dispatch dispatcher(const std::vector<replica_view>& rows) {
  dispatch d;
  std::vector<double> mu;
  for (auto& r : rows) {
    double q = r.own ? r.queue : next_queue(r.queue, r.window_arrivals, r.mu, r.exchanged);
    d.queue.push_back(q);
    d.global.push_back(global_load(q, r.forecast));
    mu.push_back(r.mu);
  }
  d.balanced = balanced_load(d.global, mu);
  d.theta = unbalanced_load(d.balanced, d.global);
  d.transfers = offload_policy(d.theta);
  return d;
}

std::vector<double> outgoing(const dispatch& d, size_t self) {
  std::vector<double> out(d.global.size(), 0.0);
  for (auto& t : d.transfers)
    if (t.from == self)
      out[t.to] += t.items;
  return out;
}

double expected_from(const dispatch& d, size_t sender, size_t self) {
  double items = 0;
  for (auto& t : d.transfers)
    if (t.from == sender && t.to == self)
      items += t.items;
  return items;
}

}  // namespace troupe::videojam
