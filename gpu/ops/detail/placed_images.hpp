// A batch of OpenCV images checked and placed in a network's square input, in both the
// forms the two sides need: vision's letterboxes (to map boxes back) and the kernels'
// plain views and placements.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "gpu/ops/detail/area_resize.hpp"
#include "vision/yolo_output.hpp"

namespace troupe::gpu::detail {

struct placed_images {
  std::vector<vision::letterbox> letterboxes;
  std::vector<image_view> views;
  std::vector<placement> placements;
};

// Throws std::invalid_argument for input ≤ 0 or an image that is empty, not 8UC3, or
// scales to nothing.
placed_images place_images(const std::vector<cv::Mat>& images, int input, int frame_width);

}  // namespace troupe::gpu::detail
