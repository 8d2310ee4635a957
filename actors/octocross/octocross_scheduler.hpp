// OctoCross's Offload Scheduler and Adaptor (octocross.txt §2, §3.2–3.3, Algorithm 1)
// on the server node: every second it samples each replica's workload, room and link
// delays from their FunctionStats; every period (15 s), or at once when a node is
// overloaded now, it decides the offloading matrix M and sends each replica its row as
// an OffloadPlan (the Device Agent's RPC; replicas run `balancer: plan`). Nodes that go
// away are masked at once and given a grace period.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec octocross_scheduler_kind();

}  // namespace troupe
