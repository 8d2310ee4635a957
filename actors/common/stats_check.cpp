#include "actors/common/stats_check.hpp"

#include "actors/common/core/plausible.hpp"

namespace troupe {

std::optional<refusal> check_replica_stats(const msg::ReplicaStats& st, const std::string& sender) {
  if (st.replica() != sender)
    return refusal::forged_sender;
  constexpr double most = 1e15;  // ms or joules: a run of thirty thousand years
  for (double v : {st.compute_p50_ms(), st.queue_p50_ms(), st.total_p50_ms(), st.mean_batch(), st.busy_ms(),
                   st.energy_j()})
    if (!finite_in(v, 0, most))
      return refusal::out_of_range;
  if (!finite_in(st.gpu_drop_mean(), -1, most))  // (T̃ − T)/T > −1; a replica alone reads ±1e-4 by rounding
    return refusal::out_of_range;
  return std::nullopt;
}

}  // namespace troupe
