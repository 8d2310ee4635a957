// Penance (papers/penance.txt) in Troupe: per 1 s segment, the camera picks the encoder
// setting and the server's segmentation model so that accuracy meets a target within
// the uplink at the least compute.
#pragma once

#include "actors/systems.hpp"

namespace troupe {

void register_penance(system_registry& r);

}  // namespace troupe
