// The EHCI-style baseline's regions of interest (remo.txt, section VII.B, after Wang
// et al.'s on-edge collaborative inference): the previous frame's boxes, each grown by
// a share of its size on every side and clipped to the frame, overlapping ones merged,
// are what the next frame sends to the edge server. Objects outside them go unseen
// until the next full frame.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::ehci {

std::vector<cv::Rect> padded_rois(const std::vector<vision::detection>& previous, double padding, cv::Size frame);

}  // namespace troupe::ehci
