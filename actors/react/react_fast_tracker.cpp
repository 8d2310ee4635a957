#include "actors/react/react_fast_tracker.hpp"

#include <caf/all.hpp>

namespace troupe {

caf::behavior react_fast_tracker(caf::event_based_actor*) {
  return {
    [](const catch_up_job_ptr& job) -> catch_up_result_ptr {
      return std::make_shared<catch_up_result>(run_catch_up(*job));
    },
  };
}

}  // namespace troupe
