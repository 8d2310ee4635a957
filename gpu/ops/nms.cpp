#include "gpu/ops/nms.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "gpu/ops/detail/cuda_ops.hpp"
#include "gpu/ops/device.hpp"
#include "vision/yolo_output.hpp"

namespace troupe::gpu {

namespace {

// Below `device_from` boxes a round trip to the device costs more than the CPU's
// greedy pass; the mask takes n²/8 bytes (50 MB at 20 k boxes), and past `device_limit`
// the CPU's pass, which only compares against the boxes kept, is the better tool.
constexpr size_t device_from = 256, device_limit = 20000;

void check(const vision::detection& d) {
  auto& b = d.box;
  if (!std::isfinite(b.x) || !std::isfinite(b.y) || !std::isfinite(b.width) || !std::isfinite(b.height) ||
      !std::isfinite(d.score))
    throw std::invalid_argument("nms: a box with a non-finite coordinate or score");
}

}  // namespace

std::vector<vision::detection> nms(std::vector<vision::detection> boxes, float iou_threshold) {
  for (auto& d : boxes)
    check(d);
  if (boxes.size() < device_from || boxes.size() > device_limit || !device_usable())
    return vision::non_max_suppression(std::move(boxes), iou_threshold);
  std::stable_sort(boxes.begin(), boxes.end(), [](auto& a, auto& b) { return a.score > b.score; });
  std::vector<detail::box> plain;
  for (auto& d : boxes)
    plain.push_back({d.box.x, d.box.y, d.box.width, d.box.height, d.label});
  try {
    auto keep = detail::reduce_mask(detail::overlap_mask_on_device(plain, iou_threshold), int(plain.size()));
    std::vector<vision::detection> kept;
    for (int i : keep)
      kept.push_back(boxes[i]);
    return kept;
  } catch (const detail::cuda_error& e) {
    detail::device_failed(e.what());
    return vision::non_max_suppression(std::move(boxes), iou_threshold);
  }
}

}  // namespace troupe::gpu
