// A sink asked to stop waits, at most `wait`, for the final counts still on their way
// before it exits and closes its books: a camera's last count, sent as it stopped, may
// cross an emulated link's delay or a slower node after the replicas' counts, and must
// not be taken for one that never came.
#pragma once

#include <chrono>
#include <functional>

#include <caf/fwd.hpp>

#include "actors/runtime/kind_registry.hpp"

namespace troupe {

// The sinks' `final_wait_ms` parameter (default 2000).
param_spec final_wait_param();

// Installs the actor's exit handler: an exit (other than a linked actor's normal end)
// quits once `complete()` says every final count is in, or `wait` after it came.
void wait_for_final_counts(caf::event_based_actor* self, std::function<bool()> complete,
                           std::chrono::milliseconds wait);

}  // namespace troupe
