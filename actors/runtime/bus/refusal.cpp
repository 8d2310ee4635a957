#include "actors/runtime/bus/refusal.hpp"

namespace troupe {

const char* to_string(refusal r) {
  switch (r) {
    case refusal::forged_sender: return "forged sender";
    case refusal::not_its_actor: return "not its actor";
    case refusal::live_node: return "node still alive";
    case refusal::not_controller: return "not a controller";
    case refusal::unhandled_type: return "unhandled type";
    case refusal::missing_field: return "missing field";
    case refusal::out_of_range: return "out of range";
    case refusal::outside_output: return "outside the output folder";
    case refusal::unknown_sender: return "unknown sender";
  }
  return "?";
}

}  // namespace troupe
