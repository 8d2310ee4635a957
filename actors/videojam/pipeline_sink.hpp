#pragma once
#include "actors/runtime/kind_registry.hpp"
namespace troupe {
// The end of VideoJam's pipelines: collects results and every replica's statistics,
// prints progress and, at the end, the run's response time, loss and offload traffic.
kind_spec pipeline_sink_kind();
}  // namespace troupe
