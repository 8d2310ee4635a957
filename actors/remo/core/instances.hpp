// Random per-slot instances of ReMO's scheduling problem, for tests and benchmarks:
// cameras with 720p frames split in regions, models of varied speed and accuracy,
// 16 Mbit/s to the server and 80 Mbit/s between cameras, as in the paper's setup.
#pragma once

#include <random>
#include <utility>
#include <vector>

#include "actors/remo/core/scheduler.hpp"

namespace troupe::remo {

slot_model random_slot_model(int cameras, int regions, int frames, std::mt19937_64& rng);
// Frame 0 to the server; in later frames one region in `one_in` needs detection
// (detected locally to start with, movable), the others are tracked.
std::pair<schedule, std::vector<movable_region>> random_slot(const slot_model& m, int one_in, std::mt19937_64& rng);

}  // namespace troupe::remo
