// A plan from outside the balancer (OctoCross's scheduler sends row i of its
// offloading matrix M, octocross.txt §2, §3.1): the share of a replica's arrivals
// each target takes, the rest (1 − Σ M_ij) kept. A plan is checked before it is
// followed: nothing on the bus is obeyed just because it parses.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace troupe::videojam {

struct offload_share {
  std::string target;
  double fraction = 0;  // of the arrivals, in [0, 1]
};

enum class plan_verdict {
  applied,
  bad_fraction,    // outside [0, 1], or not a number
  over_one,        // the shares add up to more than all arrivals
  unknown_target,  // no such replica in the directory
  to_itself,       // the own share is what is not sent
  duplicate,       // a target listed twice
  not_followed,    // the replica's balancer follows no plan
};

const char* to_string(plan_verdict v);

// Whether `shares` can be followed by `self`; `known` says whether a replica is in the
// directory. A sum over 1 by rounding (1e-9) is allowed.
plan_verdict check_plan(const std::vector<offload_share>& shares, const std::string& self,
                        const std::function<bool(const std::string&)>& known);

}  // namespace troupe::videojam
