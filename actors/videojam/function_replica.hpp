// A replica of a pipeline function wrapped by its load balancer (VideoJam, §3.4): the
// Monitor counts incoming load per slot, the Dispatcher decides every window how much
// to hand to which neighbour (replicas of the same function type), and the four
// messages of §3.4.2 keep the state tables current. `balancer` picks VideoJam or a
// baseline (none, wrr, distream) once: its rules are a videojam::balancer strategy
// (core/balancer.hpp); the mechanics here are the same for all.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec function_replica_kind();

}  // namespace troupe
