#include "gpu/ops/detail/placed_images.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace troupe::gpu::detail {

namespace {

placement placement_of(const cv::Mat& image, const vision::letterbox& lb) {
  placement p;
  p.input = lb.input.width;
  p.pad_x = lb.pad_x;
  p.pad_y = lb.pad_y;
  p.scaled_width = int(std::lround(image.cols * lb.scale));  // as apply_letterbox sizes it
  p.scaled_height = int(std::lround(image.rows * lb.scale));
  return p;
}

void check(const cv::Mat& image, const placement& p, size_t index) {
  auto where = "image " + std::to_string(index);
  if (image.empty())
    throw std::invalid_argument(where + " is empty");
  if (image.type() != CV_8UC3)
    throw std::invalid_argument(where + " is not 8-bit BGR (CV_8UC3)");
  if (p.scaled_width < 1 || p.scaled_height < 1)
    throw std::invalid_argument(where + " scales to nothing in the input");
}

}  // namespace

placed_images place_images(const std::vector<cv::Mat>& images, int input, int frame_width) {
  if (input <= 0)
    throw std::invalid_argument("input size " + std::to_string(input) + " (must be > 0)");
  placed_images out;
  for (size_t i = 0; i < images.size(); ++i) {
    auto& image = images[i];
    out.letterboxes.push_back(image.empty() ? vision::letterbox{}
                                            : vision::fit_letterbox(image.size(), {input, input}, frame_width));
    out.placements.push_back(placement_of(image, out.letterboxes.back()));
    check(image, out.placements.back(), i);
    out.views.push_back({image.data, image.cols, image.rows, int(image.step[0]), 3});
  }
  return out;
}

}  // namespace troupe::gpu::detail
