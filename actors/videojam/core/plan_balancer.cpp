// Following a plan (OctoCross's Device Agent, octocross.txt §2): arrivals are split by
// smooth weighted round robin between the own queue (the share not sent, 1 − Σ M_ij)
// and each target (M_ij). No plan yet: everything is kept. A target that leaves is out
// of the split at once (its share kept) until a new plan names it; items routed to a
// target that is not up are kept, not lost. No state is exchanged: the plan carries
// what the scheduler knows.
#include <algorithm>
#include <numeric>

#include "actors/common/core/load_split.hpp"
#include "actors/videojam/core/detail/balancers.hpp"

namespace troupe::videojam::detail {

namespace {

class plan_balancer final : public balancer {
 public:
  bool exchanges_state() const override { return false; }

  std::string route(const state_table&) override {
    auto i = picker_.pick(weights_);
    return i == 0 ? std::string() : targets_[i - 1];
  }

  bool follow(const std::vector<offload_share>& shares) override {
    targets_.clear();
    weights_ = {1};
    for (auto& s : shares) {
      targets_.push_back(s.target);
      weights_.push_back(s.fraction);
    }
    weights_[0] = std::max(0.0, 1 - std::accumulate(weights_.begin() + 1, weights_.end(), 0.0));
    picker_ = {};  // credits belong to positions, and these are new
    return true;
  }

  void lost(const std::string& replica) override {
    for (size_t i = 0; i < targets_.size(); ++i)
      if (targets_[i] == replica) {
        weights_[0] += weights_[i + 1];
        weights_[i + 1] = 0;
      }
  }

  away_policy when_away(const std::string&) const override { return away_policy::keep; }

  window_plan close_window(const replica_now&) override { return {}; }

 private:
  std::vector<std::string> targets_;
  std::vector<double> weights_ = {1};  // [kept, to each target]
  weighted_round_robin picker_;
};

}  // namespace

std::unique_ptr<balancer> make_plan_balancer() {
  return std::make_unique<plan_balancer>();
}

}  // namespace troupe::videojam::detail
