// Regions drawn from where objects were seen (remo.txt, section III: the paper draws
// fixed regions from long-term trajectories): a rows × cols grid over the whole frame
// whose cuts are quantiles of the detected boxes' centres, so that each region holds
// about the same share of the detections — busy parts of the scene get small regions,
// empty parts large ones.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::remo {

// Throws std::runtime_error without boxes or with fewer than one row or column.
std::vector<cv::Rect> regions_from_detections(const std::vector<vision::detection>& boxes, cv::Size frame, int rows,
                                              int cols);

}  // namespace troupe::remo
