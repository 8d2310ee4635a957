// Why a message that decoded was refused: nothing on the bus is obeyed because it
// parses. Each cause is counted by the node that refused it and logged once.
#pragma once

#include <cstddef>

namespace troupe {

enum class refusal {
  forged_sender,   // the envelope or payload names another node than the subject it came on
  not_its_actor,   // an ActorDown for an actor its sender does not host
  live_node,       // a NodeDown for a node heard from within the suspicion window
  not_controller,  // a spawn or stop request from a node that may not control
  unhandled_type,  // a type the receiving actor does not handle
  missing_field,   // a required field empty
  out_of_range,    // a plan, slot, size, name or time beyond what is plausible
  outside_output,  // a file named outside the deployment's output folder
  unknown_sender,  // from an actor the receiver was not configured to hear from
};
constexpr size_t refusal_kinds = 9;
const char* to_string(refusal r);

}  // namespace troupe
