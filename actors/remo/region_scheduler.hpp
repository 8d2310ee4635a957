#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// ReMO's Region Scheduler (remo.txt, section V): gathers the region cameras' slot
// reports, solves the slot's problem by the Markov approximation of Algorithm 1 (or a
// baseline's rule) under the delay queue q(t), and sends each camera its plan.
kind_spec region_scheduler_kind();
}  // namespace troupe
