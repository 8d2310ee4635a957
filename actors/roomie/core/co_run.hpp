// The reference simulation of models sharing one GPU, kernel by kernel (thesis §4.4.2):
// at every kernel's start and end the co-resident kernels' blocks are re-shared
// (adjusted_blocks) and each runs at õ/o of its standalone speed (Eq. 4.3), back at
// full speed once alone (Eq. 4.4), N-way rather than the thesis's two. It is the truth
// the greedy estimator (Alg. 2) is judged against, and what an emulated shared GPU
// charges each batch.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "actors/roomie/core/occupancy.hpp"

namespace troupe::roomie {

// One model's inference (or an endless series of them) on the GPU.
struct gpu_stream {
  const std::vector<kernel_cost>* kernels = nullptr;
  size_t first = 0;       // the kernel it starts at: its alignment against the others
  double start_us = 0;    // when it starts
  bool loop = false;      // runs its kernels again and again (a replica never idle)
  int priority = 0;       // lower runs first under share_policy::priority
};

struct co_run_result {
  double end_us = 0;                 // when the last finite stream finished, or the horizon
  std::vector<double> finish_us;     // each finite stream's end (NaN for a looping one)
  std::vector<double> work_us;       // standalone time of the kernel work each got done
};

// Runs `streams` until every finite one has finished and, if any loops, until
// `horizon_us` (required then). Kernels resident together are ordered by start (ties
// by stream) for fcfs, by priority for priority.
co_run_result co_run(const std::vector<gpu_stream>& streams, share_policy policy, const gpu_arch& a,
                     double horizon_us = std::numeric_limits<double>::infinity());

// μ of each model in steady co-location (⚑ the thesis's truth is a measurement): every
// model loops from its alignment `first[i]` for `horizon_us`; μ_i = horizon / work_i − 1.
std::vector<double> steady_drop(const std::vector<const std::vector<kernel_cost>*>& models,
                                const std::vector<size_t>& first, share_policy policy, const gpu_arch& a,
                                double horizon_us);

// steady_drop over `alignments` random alignments (a random first kernel per model,
// drawn from `seed`), each for four times the longest model's T: [alignment][model].
std::vector<std::vector<double>> drops_over_alignments(const std::vector<const std::vector<kernel_cost>*>& models,
                                                       int alignments, uint64_t seed, share_policy policy,
                                                       const gpu_arch& a);

}  // namespace troupe::roomie
