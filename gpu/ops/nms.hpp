// Non-maximum suppression as vision::non_max_suppression decides it (greedy in stable
// score order, per class, IoU strictly above the threshold), with the pairwise overlaps
// computed on the GPU as a bitmask when one is usable and reduced on the host. Same
// keep-set, same order, on either side.
#pragma once

#include <vector>

#include "vision/detection.hpp"

namespace troupe::gpu {

// Throws std::invalid_argument for a box with a non-finite coordinate or score.
std::vector<vision::detection> nms(std::vector<vision::detection> boxes, float iou_threshold);

}  // namespace troupe::gpu
