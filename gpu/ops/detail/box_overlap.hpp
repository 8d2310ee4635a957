// The pairwise test of non-maximum suppression, as a GPU thread computes it: the same
// float intersection cv::Rect2f's operator& computes and the same double ratio as
// vision::iou, so the device's keep-set is the CPU's bit for bit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "gpu/ops/detail/host_device.hpp"

namespace troupe::gpu::detail {

struct box {
  float x, y, width, height;
  int label;
};

TROUPE_HD bool empty(const box& b) { return b.width <= 0 || b.height <= 0; }
TROUPE_HD float min_of(float a, float b) { return a < b ? a : b; }

// Area of the intersection, as (a & b).area() for cv::Rect2f.
TROUPE_HD float intersection_area(const box& a, const box& b) {
  if (empty(a) || empty(b))
    return 0;
  const box& x_min = a.x < b.x ? a : b;
  const box& x_max = a.x < b.x ? b : a;
  const box& y_min = a.y < b.y ? a : b;
  const box& y_max = a.y < b.y ? b : a;
  if ((x_min.x < 0 && x_min.x + x_min.width < x_max.x) || (y_min.y < 0 && y_min.y + y_min.height < y_max.y))
    return 0;
  float w = min_of(x_min.width - (x_max.x - x_min.x), x_max.width);
  float h = min_of(y_min.height - (y_max.y - y_min.y), y_max.height);
  return w <= 0 || h <= 0 ? 0 : w * h;
}

// Whether `b` goes because of the stronger `a`: same class and IoU above the threshold.
TROUPE_HD bool suppresses(const box& a, const box& b, float iou_threshold) {
  if (a.label != b.label)
    return false;
  double inter = intersection_area(a, b);
  double uni = double(a.width * a.height) + b.width * b.height - inter;
  return (uni > 0 ? inter / uni : 0.0) > iou_threshold;
}

constexpr int mask_bits = 64;

inline int mask_words(int n) { return (n + mask_bits - 1) / mask_bits; }

// Bit j of row i (j > i): box i suppresses box j. What the kernel computes, one thread
// per (row, word).
TROUPE_HD uint64_t mask_word(const box* boxes, int n, int i, int word, float iou_threshold) {
  uint64_t bits = 0;
  for (int k = 0; k < mask_bits; ++k) {
    int j = word * mask_bits + k;
    if (j > i && j < n && suppresses(boxes[i], boxes[j], iou_threshold))
      bits |= uint64_t(1) << k;
  }
  return bits;
}

// The greedy pass over the mask in score order: indices of the boxes kept.
std::vector<int> reduce_mask(const std::vector<uint64_t>& mask, int n);
// The whole mask on the host, for the CPU tests of the kernel's arithmetic.
std::vector<uint64_t> overlap_mask_on_host(const std::vector<box>& boxes, float iou_threshold);

}  // namespace troupe::gpu::detail
