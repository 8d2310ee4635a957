#include "gpu/ops/letterbox_batch.hpp"

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "gpu/ops/detail/cuda_ops.hpp"
#include "gpu/ops/device.hpp"

namespace troupe::gpu {

namespace {

detail::placement placement_of(const cv::Mat& image, const vision::letterbox& lb) {
  detail::placement p;
  p.input = lb.input.width;
  p.pad_x = lb.pad_x;
  p.pad_y = lb.pad_y;
  p.scaled_width = int(std::lround(image.cols * lb.scale));  // as apply_letterbox sizes it
  p.scaled_height = int(std::lround(image.rows * lb.scale));
  return p;
}

void check(const cv::Mat& image, const detail::placement& p, size_t index) {
  auto where = "letterbox_batch: image " + std::to_string(index);
  if (image.empty())
    throw std::invalid_argument(where + " is empty");
  if (image.type() != CV_8UC3)
    throw std::invalid_argument(where + " is not 8-bit BGR (CV_8UC3)");
  if (p.scaled_width < 1 || p.scaled_height < 1)
    throw std::invalid_argument(where + " scales to nothing in the input");
}

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
  if (input <= 0)
    throw std::invalid_argument("letterbox_batch: input size " + std::to_string(input) + " (must be > 0)");
  input_batch b;
  b.images = int(images.size());
  b.input = input;
  std::vector<detail::placement> placed;
  std::vector<detail::image_view> views;
  for (size_t i = 0; i < images.size(); ++i) {
    auto& image = images[i];
    b.placements.push_back(image.empty() ? vision::letterbox{}
                                         : vision::fit_letterbox(image.size(), {input, input}, frame_width));
    placed.push_back(placement_of(image, b.placements.back()));
    check(image, placed.back(), i);
    views.push_back({image.data, image.cols, image.rows, int(image.step[0]), 3});
  }
  b.nchw.resize(size_t(b.images) * 3 * input * input);
  if (images.empty())
    return b;
  if (device_usable()) {
    try {
      detail::letterbox_on_device(views, placed, input, b.nchw.data());
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
