#include "actors/roomie/core/interference_estimate.hpp"

#include <algorithm>
#include <stdexcept>

namespace troupe::roomie {

model_profile profile_of(const kernel_trace& t, const gpu_arch& a) {
  model_profile p;
  p.id = t.model + "-i" + std::to_string(t.input) + "-b" + std::to_string(t.batch);
  p.arch = a.arch;
  p.source = t.source;
  p.kernels = costs_of(t, a);
  p.total_us = t.total_us();
  p.mem_mb = t.mem_mb;
  p.sm = capacity(a);
  double busy = 0, bytes = 0;
  for (size_t i = 0; i < t.kernels.size(); ++i) {
    busy += p.kernels[i].duration_us * p.kernels[i].occupancy;
    bytes += double(t.kernels[i].dram_bytes);
  }
  p.compute = busy / p.total_us;
  p.memory = bytes / (p.total_us * a.bandwidth_gbs * 1e3);  // GB/s = 10³ bytes per µs
  return p;
}

std::vector<size_t> starting_kernels(size_t q, int n) {
  if (n < 1)
    throw std::invalid_argument("the starting kernels per model must be at least 1");
  std::vector<size_t> s;
  for (int t = 0; t < n; ++t)
    s.push_back(size_t(t) * q / size_t(n));
  return s;
}

double median_of(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  auto m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

double pair_delay(const model_profile& i, const model_profile& j, int n) {
  auto& ki = i.kernels;
  auto& kj = j.kernels;
  std::vector<double> delays;
  for (auto si : starting_kernels(ki.size(), n))
    for (auto sj : starting_kernels(kj.size(), n)) {  // Eq. 4.7
      double delta = 0;
      for (size_t a = si, b = sj; a < ki.size() && b < kj.size(); ++a, ++b) {
        auto together = ki[a].footprint;
        together += kj[b].footprint;
        if (!together.within(i.sm))
          delta += ki[a].duration_us * ki[a].occupancy / (ki[a].occupancy + kj[b].occupancy);  // Eq. 4.8
      }
      delays.push_back(delta);  // Eq. 4.9
    }
  return median_of(delays);
}

double delay_cache::delay(const model_profile& i, const model_profile& j) {
  auto key = std::make_pair(i.id + "@" + i.arch + "/" + i.source, j.id + "@" + j.arch + "/" + j.source);
  if (auto it = delays_.find(key); it != delays_.end())
    return it->second;
  return delays_[key] = pair_delay(i, j, n_);
}

std::vector<double> performance_drop(const std::vector<const model_profile*>& models, delay_cache& cache) {
  std::vector<double> mu;
  for (size_t i = 0; i < models.size(); ++i) {
    double added = 0;
    for (size_t j = 0; j < models.size(); ++j)
      if (j != i) {
        auto gamma = std::max(double(models[i]->kernels.size()) / double(models[j]->kernels.size()), 1.0);  // 4.11
        added += gamma * cache.delay(*models[i], *models[j]);                                                // 4.12
      }
    mu.push_back(added / models[i]->total_us);  // Eq. 4.6
  }
  return mu;
}

}  // namespace troupe::roomie
