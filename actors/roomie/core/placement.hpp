// Where a new model replica goes among shared GPUs (thesis §4.4.4): ROOMIE (Alg. 3) and
// the baselines its evaluation compares against — INFaaS-style (interference-blind)
// and Usher-style (compute/memory classes) — each a policy chosen once; and the
// optimum over whole partitions, for judging them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/roomie/core/interference_estimate.hpp"

namespace troupe::roomie {

struct gpu_slot {
  std::string node;
  int index = 0;                               // the GPU on its node
  double memory_mb = 0;
  std::vector<const model_profile*> hosted;    // replicas placed there

  double free_mb() const;
};

// What a policy decided for one arriving replica.
struct placement {
  std::optional<size_t> gpu;     // index into the cluster; none: deferred
  double mean_drop = 0;          // μ̄ of that GPU with the replica, by the estimate (ROOMIE)
};

class placement_policy {
public:
  virtual ~placement_policy() = default;
  virtual placement place(const std::vector<gpu_slot>& cluster, const model_profile& arriving) = 0;
};

enum class placement_kind { roomie, infaas, usher };
placement_kind parse_placement_kind(const std::string& name);  // throws naming the three

// `catalogue`: every model the cluster may host (Usher's classes are relative to its
// medians); `lambda`: ROOMIE's bound on a GPU's μ̄.
std::unique_ptr<placement_policy> make_placement_policy(placement_kind kind, double lambda,
                                                        const std::vector<const model_profile*>& catalogue,
                                                        delay_cache& cache);

// Throws when no GPU of the cluster could hold the model even empty (an error, not a
// deferral).
void require_fits_somewhere(const std::vector<gpu_slot>& cluster, const model_profile& m);

// μ̄: the mean of the estimate's μ over `models` (0 for none).
double mean_drop(const std::vector<const model_profile*>& models, delay_cache& cache);

// The best split of `models` over `gpus` identical GPUs of `memory_mb` each by the
// estimate: least Σ of every model's μ, by dynamic programming over subsets (N ≤ 16).
// Returns each model's GPU (0…gpus−1); throws when no split fits the memory.
std::vector<int> optimum_partition(const std::vector<const model_profile*>& models, int gpus, double memory_mb,
                                   delay_cache& cache);

}  // namespace troupe::roomie
