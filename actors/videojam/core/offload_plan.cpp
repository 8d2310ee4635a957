#include "actors/videojam/core/offload_plan.hpp"

#include <cmath>
#include <set>

namespace troupe::videojam {

const char* to_string(plan_verdict v) {
  switch (v) {
    case plan_verdict::applied: return "applied";
    case plan_verdict::bad_fraction: return "a fraction outside [0, 1]";
    case plan_verdict::over_one: return "shares adding up to more than 1";
    case plan_verdict::unknown_target: return "an unknown target";
    case plan_verdict::to_itself: return "a share to itself";
    case plan_verdict::duplicate: return "a target listed twice";
    case plan_verdict::not_followed: return "a balancer that follows no plan";
  }
  return "?";
}

plan_verdict check_plan(const std::vector<offload_share>& shares, const std::string& self,
                        const std::function<bool(const std::string&)>& known) {
  double sum = 0;
  std::set<std::string> seen;
  for (auto& s : shares) {
    if (!(s.fraction >= 0 && s.fraction <= 1))  // NaN fails both
      return plan_verdict::bad_fraction;
    if (s.target == self)
      return plan_verdict::to_itself;
    if (!seen.insert(s.target).second)
      return plan_verdict::duplicate;
    if (!known(s.target))
      return plan_verdict::unknown_target;
    sum += s.fraction;
  }
  return sum <= 1 + 1e-9 ? plan_verdict::applied : plan_verdict::over_one;
}

}  // namespace troupe::videojam
