#include "actors/videojam/core/balancer.hpp"

#include <algorithm>
#include <cmath>

#include "actors/videojam/core/detail/balancers.hpp"

namespace troupe::videojam {

void balancer::sent(const std::string&, size_t) {}

offload_verdict balancer::received(const std::string&, size_t, const replica_now&) {
  return offload_verdict::accept;
}

void balancer::congested(const std::string&) {}

void balancer::lost(const std::string&) {}

away_policy balancer::when_away(const std::string&) const {
  return away_policy::lose;
}

bool balancer::follow(const std::vector<offload_share>&) {
  return false;
}

std::optional<window_plan> balancer::slot_closed(double, const replica_now&) {
  return std::nullopt;
}

namespace {

// No balancer: every item stays with the replica it reached; no state is exchanged.
class no_balancer final : public balancer {
 public:
  bool exchanges_state() const override { return false; }
  std::string route(const state_table&) override { return {}; }
  window_plan close_window(const replica_now&) override { return {}; }
};

}  // namespace

std::unique_ptr<balancer> make_balancer(balancer_kind kind, const balancer_settings& settings) {
  switch (kind) {
    case balancer_kind::videojam:
      return detail::make_videojam_balancer(settings);
    case balancer_kind::wrr:
      return detail::make_wrr_balancer();
    case balancer_kind::distream:
    case balancer_kind::distream_semi:
      return detail::make_distream_balancer(settings, kind == balancer_kind::distream_semi);
    case balancer_kind::plan:
      return detail::make_plan_balancer();
    case balancer_kind::none:
      break;
  }
  return std::make_unique<no_balancer>();
}

namespace detail {

double send_from_queue(window_plan& plan, const std::string& replica, double items, double& queued) {
  auto n = std::floor(std::min(items, queued));
  if (n < 1)
    return 0;
  plan.send_queued.emplace_back(replica, size_t(n));
  queued -= n;
  return n;
}

}  // namespace detail

}  // namespace troupe::videojam
