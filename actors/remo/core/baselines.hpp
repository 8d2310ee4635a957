// The region-assignment baselines ReMO is compared with (remo.txt, section VII.B),
// over the same slot problem as the Markov approximation: they start from the
// initial schedule (demanded regions detected by their own camera) and move the
// movable regions by their own rule. Offload-Frame is the Markov approximation with
// one whole-frame region per camera; EHCI does not schedule (the camera sends padded
// previous boxes to the server).
#pragma once

#include <vector>

#include "actors/remo/core/scheduler.hpp"

namespace troupe::remo {

// Bandwidth-Prior: while a camera's detection delay (eq. 3) is above the cameras'
// mean, its largest movable region goes to the camera its link has the most
// bandwidth left to (a second of link bandwidth minus what was already sent on it;
// of equal links, the least loaded camera).
schedule bandwidth_prior(const slot_model& m, schedule x, const std::vector<movable_region>& movable);
// Model-Prior: every region that needs detection goes to the camera with the most
// accurate model.
schedule model_prior(const slot_model& m, schedule x, const std::vector<movable_region>& movable);
// ELF-style: regions are shared among the cameras in proportion to the inverse of the
// latency each showed in the previous slot (largest region first, to the camera
// furthest below its share). previous_latency_s[i] for camera i (index 0 unused);
// cameras without a figure yet count as the mean of the others.
schedule latency_proportional(const slot_model& m, schedule x, const std::vector<movable_region>& movable,
                              const std::vector<double>& previous_latency_s);

}  // namespace troupe::remo
