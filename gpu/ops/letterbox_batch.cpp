#include "gpu/ops/letterbox_batch.hpp"

#include "gpu/ops/detail/cuda_ops.hpp"
#include "gpu/ops/detail/placed_images.hpp"
#include "gpu/ops/device.hpp"

namespace troupe::gpu {

namespace {

// vision's own letterbox, then split into planes of floats.
void letterbox_on_cpu(const std::vector<cv::Mat>& images, input_batch& b) {
  size_t plane = size_t(b.input) * b.input;
  for (size_t i = 0; i < images.size(); ++i) {
    cv::Mat f;
    vision::apply_letterbox(images[i], b.placements[i]).convertTo(f, CV_32FC3, 1.0 / 255);
    std::vector<cv::Mat> planes;
    for (int c = 0; c < 3; ++c)
      planes.emplace_back(b.input, b.input, CV_32FC1, b.nchw.data() + (i * 3 + c) * plane);
    cv::split(f, planes);
  }
}

}  // namespace

input_batch letterbox_batch(const std::vector<cv::Mat>& images, int input, int frame_width) {
  auto placed = detail::place_images(images, input, frame_width);
  input_batch b;
  b.images = int(images.size());
  b.input = input;
  b.placements = placed.letterboxes;
  b.nchw.resize(size_t(b.images) * 3 * input * input);
  if (images.empty())
    return b;
  if (device_usable()) {
    try {
      detail::letterbox_on_device(placed.views, placed.placements, input, b.nchw.data());
      b.on_device = true;
      return b;
    } catch (const detail::cuda_error& e) {
      detail::device_failed(e.what());
    }
  }
  letterbox_on_cpu(images, b);
  return b;
}

}  // namespace troupe::gpu
