// Weighted round robin (§3.5.2): "neighbors determine their processing rates based on
// an initial estimation, share this information with their neighbors, and collectively
// assign weights based on their capacity". A replica's weight is the rate it measured
// over its first window (the announced estimate until then), kept from then on; a
// neighbour that is lost and returns is estimated afresh (the policy is updated when
// the system is stressed). An item picked for a neighbour goes straight into its
// queue. No window plan.
#include <map>

#include "actors/common/core/load_split.hpp"
#include "actors/videojam/core/detail/balancers.hpp"

namespace troupe::videojam::detail {

namespace {

class wrr_balancer final : public balancer {
 public:
  bool exchanges_state() const override { return true; }

  std::string route(const state_table& table) override {
    std::vector<double> weights;
    for (auto& r : table.rows())
      weights.push_back(weight_of(r));
    if (weights.size() != members_) {  // credits belong to positions: start over when rows change
      picker_ = {};
      members_ = weights.size();
    }
    auto i = picker_.pick(weights);
    return i == 0 ? std::string() : table.rows()[i].replica;
  }

  void lost(const std::string& replica) override { initial_.erase(replica); }

  window_plan close_window(const replica_now&) override { return {}; }

 private:
  double weight_of(const load_row& r) {
    if (auto kept = initial_.find(r.replica); kept != initial_.end())
      return kept->second;
    if (r.window >= 1)  // its first window measured it: the estimate from now on
      initial_[r.replica] = r.mu;
    return r.mu;
  }

  std::map<std::string, double> initial_;
  weighted_round_robin picker_;
  size_t members_ = 0;
};

}  // namespace

std::unique_ptr<balancer> make_wrr_balancer() {
  return std::make_unique<wrr_balancer>();
}

}  // namespace troupe::videojam::detail
