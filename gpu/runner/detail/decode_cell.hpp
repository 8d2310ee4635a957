// One grid cell's head outputs decoded into a YOLO-style row, as the detector
// network's TorchScript forward() does it: centre from sigmoid offsets, size from a
// clamped exponent of the anchor, sigmoid objectness and class scores.
#pragma once

#include <cmath>

#include "gpu/ops/detail/host_device.hpp"

namespace troupe::gpu::detail {

TROUPE_HD float sigmoid(float x) { return 1.f / (1.f + expf(-x)); }
TROUPE_HD float clamp4(float x) { return x < -4.f ? -4.f : (x > 4.f ? 4.f : x); }

// cell: the cell's first head output, its others `step` floats apart; row: 5 + classes
// floats for the cell at (gy, gx) of the grid.
TROUPE_HD void decode_cell(const float* cell, int step, int channels, int gy, int gx, float stride, float anchor_w,
                           float anchor_h, float* row) {
  auto at = [&](int c) { return cell[c * step]; };
  row[0] = (sigmoid(at(0)) + gx) * stride;
  row[1] = (sigmoid(at(1)) + gy) * stride;
  row[2] = expf(clamp4(at(2))) * anchor_w;
  row[3] = expf(clamp4(at(3))) * anchor_h;
  for (int c = 4; c < channels; ++c)
    row[c] = sigmoid(at(c));
}

}  // namespace troupe::gpu::detail
