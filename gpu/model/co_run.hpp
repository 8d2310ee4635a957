// The reference simulation of models sharing one GPU, kernel by kernel (thesis §4.4.2):
// at every kernel's start and end the co-resident kernels' blocks are re-shared
// (adjusted_blocks) and each runs at õ/o of its standalone speed (Eq. 4.3), back at
// full speed once alone (Eq. 4.4), N-way rather than the thesis's two. It is the truth
// the greedy estimator (Alg. 2) is judged against, and what an emulated shared GPU
// charges each batch.
#pragma once

#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

#include "gpu/model/occupancy.hpp"

namespace troupe::gpu {

// One model's inference (or an endless series of them) on the GPU.
struct gpu_stream {
  const std::vector<kernel_cost>* kernels = nullptr;
  size_t first = 0;       // the kernel it starts at: its alignment against the others
  double start_us = 0;    // when it starts
  bool loop = false;      // runs its kernels again and again (a replica never idle)
  int priority = 0;       // lower runs first under share_policy::priority
};

// The kernels in flight on one GPU as time passes: streams start when the caller says,
// and advance_to() moves the clock, re-sharing the SM at every kernel start and end
// and returning which streams finished when. co_run() drives it over known streams; an
// emulated shared GPU drives it as inferences arrive, so a finished stream is
// forgotten once reported and memory stays flat over a long run.
class gpu_timeline {
 public:
  gpu_timeline(const gpu_arch& a, share_policy policy) : arch_(&a), policy_(policy) {}

  // A stream starting now; returns its id (0, 1, … in order of start).
  size_t start(const gpu_stream& s);
  struct finished {
    size_t id;
    double at_us;
    double work_us;  // its standalone time: T of what it ran
  };
  // Advances the clock to `t_us` (not before now); the finite streams that ended.
  std::vector<finished> advance_to(double t_us);
  // Runs to the next kernel end at the present shares; the finite streams that ended.
  std::vector<finished> advance_to_next_end();
  // When the next kernel ends at the present shares; ∞ when nothing runs.
  double next_event_us();
  // When the first finite stream in flight ends if no other starts; ∞ when none would.
  double next_finish_us() const;
  double now_us() const { return now_; }
  size_t running() const { return active_.size(); }
  // Time with something in flight since the timeline began.
  double busy_us() const { return busy_; }
  // Standalone time of the work a stream still in flight got done.
  double work_us(size_t id) const { return streams_.at(id).work_us; }

 private:
  struct state {
    gpu_stream s;
    size_t kernel = 0;
    double left_us = 0, since_us = 0, work_us = 0;
  };
  void share();  // speeds of the kernels in flight
  void run_for(double step, std::vector<finished>& out);  // `step` at most to the next kernel end
  double time_to_next_end();

  const gpu_arch* arch_;
  share_policy policy_;
  std::unordered_map<size_t, state> streams_;  // those in flight, by id
  size_t next_id_ = 0;
  std::vector<size_t> active_;   // their ids, in sharing order
  std::vector<double> speed_;    // õ/o of each in active_
  bool shared_ = false;          // speed_ matches active_
  double now_ = 0;
  double busy_ = 0;
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

}  // namespace troupe::gpu
