// A batch of images as a network's input: each letterboxed into input × input (aspect
// kept, grey 114 around, cv::INTER_AREA) as vision::apply_letterbox does, then stacked
// NCHW as floats / 255. On the GPU when one is usable (gpu/ops/device.hpp), else on the
// CPU with vision's own functions; both give the same pixels to within 1/255.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision/yolo_output.hpp"

namespace troupe::gpu {

struct input_batch {
  int images = 0, input = 0;                // N, and H = W = input; C = 3 (BGR planes)
  std::vector<float> nchw;                  // N × 3 × input × input
  std::vector<vision::letterbox> placements;  // per image, to map boxes back
  bool on_device = false;                   // where it was computed
};

// `frame_width` > 0: images may be regions cut from frames this wide (fit_letterbox).
// Throws std::invalid_argument for input ≤ 0 or an image that is empty, not 8UC3, or
// scales to nothing; an empty batch gives an empty result.
input_batch letterbox_batch(const std::vector<cv::Mat>& images, int input, int frame_width = 0);

}  // namespace troupe::gpu
