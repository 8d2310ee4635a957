#include "actors/common/batch_queue.hpp"

namespace troupe {

std::optional<overflow_policy> parse_overflow_policy(const std::string& name) {
  if (name == "drop_oldest")
    return overflow_policy::drop_oldest;
  if (name == "drop_newest")
    return overflow_policy::drop_newest;
  if (name == "block")
    return overflow_policy::block;
  return std::nullopt;
}

const char* to_string(overflow_policy p) {
  switch (p) {
    case overflow_policy::drop_oldest: return "drop_oldest";
    case overflow_policy::drop_newest: return "drop_newest";
    case overflow_policy::block: return "block";
  }
  return "?";
}

}  // namespace troupe
