// ROOMIE's workload (thesis §4.5): queries arriving as a Poisson process whose rate
// follows a load curve (flat, a Gaussian process, or a CSV such as the twitter-like
// stand-in), each for a model drawn by Zipf popularity and sent in turn to that model's
// replicas as the placement actor announces them on `placements`. The frames are a
// video's first few, read once and cycled (their source view keys the replicas'
// detection caches). Queries for a model with no replica up are counted, as are sends
// that fail, in its CameraStats to the sink.
#pragma once

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

kind_spec query_source_kind();

}  // namespace troupe
