// ROOMIE's greedy estimate of how much co-located models slow each other (thesis
// §4.4.3, Alg. 2): per ordered pair of models, n evenly spaced starting kernels each
// (Eq. 4.7), a lockstep walk adding d·o_i/(o_i+o_j) wherever the two kernels' φ exceed
// Φ (Eqs. 4.8–4.9), the median over the n² starts (4.10), scaled by the pair's kernel
// counts (4.11) and summed into each model's new duration (4.12) and drop (4.6).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "gpu/model/occupancy.hpp"

namespace troupe::roomie {

// The GPU model's terms, as ROOMIE speaks them.
using gpu::gpu_arch;
using gpu::kernel_cost;
using gpu::kernel_trace;
using gpu::sm_resources;

// A model as placement sees it: an id that names its trace, its kernels on one arch.
struct model_profile {
  std::string id;                    // "detector-n-i320-b1"
  std::string arch, source;          // with id, the cache's key
  std::vector<kernel_cost> kernels;
  double total_us = 0;               // T
  double mem_mb = 0;
  double compute = 0;                // Usher's c = Σ d·o / Σ d
  double memory = 0;                 // Usher's u = Σ dram_bytes / (Σ d · bandwidth)
  sm_resources sm;                   // Φ of the arch its kernels were costed on
};

model_profile profile_of(const kernel_trace& t, const gpu_arch& a);

// n evenly spaced starting kernels of q: ⌊t·q/n⌋, t = 0…n−1.
std::vector<size_t> starting_kernels(size_t q, int n);

// Median, the mean of the middle two for an even count (Eq. 4.10); 0 for none.
double median_of(std::vector<double> v);

// Δ_ij: the median added time of model i next to model j (Eqs. 4.7–4.10).
double pair_delay(const model_profile& i, const model_profile& j, int n);

// Δ per ordered pair of ids, kept: placement asks the same pairs again and again.
class delay_cache {
public:
  explicit delay_cache(int n = 8) : n_(n) {}
  double delay(const model_profile& i, const model_profile& j);
  size_t size() const { return delays_.size(); }

private:
  int n_;
  std::map<std::pair<std::string, std::string>, double> delays_;
};

// μ of each of `models` sharing one GPU (Eqs. 4.11, 4.12, 4.6 — ⚑ divided by T as Eq. 4.6
// says, not by T̃ as Alg. 2's line 23).
std::vector<double> performance_drop(const std::vector<const model_profile*>& models, delay_cache& cache);

}  // namespace troupe::roomie
