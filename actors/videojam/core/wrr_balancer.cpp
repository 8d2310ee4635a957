// Weighted round robin (§3.5.2): the weights are the rates the replicas announced; an
// item picked for a neighbour goes straight into its queue. No window plan.
#include "actors/videojam/core/baselines.hpp"
#include "actors/videojam/core/detail/balancers.hpp"

namespace troupe::videojam::detail {

namespace {

class wrr_balancer final : public balancer {
 public:
  bool exchanges_state() const override { return true; }

  std::string route(const replica_now& now) override {
    std::vector<double> weights;
    for (auto& r : now.table.rows())
      weights.push_back(r.mu);
    if (weights.size() != members_) {  // credits belong to positions: start over when rows change
      picker_ = {};
      members_ = weights.size();
    }
    auto i = picker_.pick(weights);
    return i == 0 ? std::string() : now.table.rows()[i].replica;
  }

  window_plan close_window(const replica_now&) override { return {}; }

 private:
  weighted_round_robin picker_;
  size_t members_ = 0;
};

}  // namespace

std::unique_ptr<balancer> make_wrr_balancer() {
  return std::make_unique<wrr_balancer>();
}

}  // namespace troupe::videojam::detail
