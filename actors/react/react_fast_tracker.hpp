// REACT's fast tracker (react.txt, §3.3): a detached actor beside each react-camera,
// apart from its main tracker, that carries late detections to the present over the
// buffered frames and answers with where it got.
#pragma once

#include <memory>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/behavior.hpp>
#include <caf/event_based_actor.hpp>

#include "actors/react/react_edge.hpp"

namespace troupe {

using catch_up_job_ptr = std::shared_ptr<const catch_up_job>;
using catch_up_result_ptr = std::shared_ptr<const catch_up_result>;

// Each job's result goes back to its sender.
caf::behavior react_fast_tracker(caf::event_based_actor* self);

}  // namespace troupe

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::catch_up_job_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::catch_up_result_ptr)
