// Lists of actor names in parameters ("yolo-1, yolo-2") and the choice among them: a
// pipeline stage sends to the first replica of the next function that is up.
#pragma once

#include <string>
#include <vector>

#include "actors/runtime/context.hpp"

namespace troupe {

std::vector<std::string> split_names(const std::string& list);
// The first of `names` that runs (or is known to run); empty when none is.
std::string first_up(const context& ctx, const std::vector<std::string>& names);

}  // namespace troupe
