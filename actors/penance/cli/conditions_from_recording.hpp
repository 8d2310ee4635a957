// The conditions a recorded Penance run's cameras met (actors/penance/core/
// recorded_conditions.hpp), read from the SegmentSent letters its sinks received.
#pragma once

#include <string>
#include <vector>

#include "actors/penance/core/recorded_conditions.hpp"

namespace troupe {

// Throws std::runtime_error when DIR is no recording or holds no segment a camera sent
// in its own name, std::invalid_argument for a segment's implausible target or bandwidth.
std::vector<penance::condition_series> conditions_from_recording(const std::string& dir);

}  // namespace troupe
