// One pixel of OpenCV's cv::resize(INTER_AREA) on an 8-bit image, computed on its own
// so a GPU thread can produce it: the same taps and weights OpenCV tabulates (area
// averaging when shrinking both ways, its area-weighted bilinear otherwise), summed in
// the same order in float, rounded to nearest as saturate_cast does.
#pragma once

#include <cmath>
#include <cstdint>

#include "gpu/ops/detail/host_device.hpp"

namespace troupe::gpu::detail {

// An 8-bit image with `channels` interleaved channels, rows `step` bytes apart.
struct image_view {
  const uint8_t* data = nullptr;
  int width = 0, height = 0, step = 0, channels = 3;
};

TROUPE_HD int clamp_index(int i, int size) {
  return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

TROUPE_HD uint8_t round_to_byte(float v) {
  float r = rintf(v);  // half to even, as saturate_cast's lrintf
  return uint8_t(r < 0 ? 0 : (r > 255 ? 255 : r));
}

// Calls f(source index, weight) for each source pixel that dst index `d` averages over
// when `scale` (source / destination size) ≥ 1: OpenCV's area table.
template <class F>
TROUPE_HD void area_taps(int d, int source_size, double scale, F&& f) {
  double f1 = d * scale, f2 = f1 + scale;
  double cell = scale < source_size - f1 ? scale : source_size - f1;
  int s1 = int(ceil(f1)), s2 = int(floor(f2));
  s2 = s2 < source_size - 1 ? s2 : source_size - 1;
  s1 = s1 < s2 ? s1 : s2;
  if (s1 - f1 > 1e-3)
    f(s1 - 1, float((s1 - f1) / cell));
  for (int s = s1; s < s2; ++s)
    f(s, float(1.0 / cell));
  if (f2 - s2 > 1e-3) {
    double w = f2 - s2 < 1.0 ? f2 - s2 : 1.0;
    f(s2, float((w < cell ? w : cell) / cell));
  }
}

// The two neighbours and the weight of the second for dst index `d` when OpenCV's
// INTER_AREA enlarges along an axis (its area-mode linear coefficients).
struct linear_tap {
  int first, second;
  float weight;
};

TROUPE_HD linear_tap area_linear_tap(int d, int source_size, int dest_size) {
  double scale = double(source_size) / dest_size, inverse = double(dest_size) / source_size;
  int s = int(floor(d * scale));
  float fx = float((d + 1) - (s + 1) * inverse);
  fx = fx <= 0 ? 0.f : fx - floorf(fx);
  if (s >= source_size - 1) {
    s = source_size - 1;
    fx = 0;
  }
  return {clamp_index(s, source_size), clamp_index(s + 1, source_size), fx};
}

TROUPE_HD uint8_t at(const image_view& im, int x, int y, int c) {
  return im.data[y * im.step + x * im.channels + c];
}

// Shrinking by whole factors, OpenCV sums the block in integers and scales it: by
// (sum + 2) >> 2 in its vector code for 2 × 2, by a rounded float product otherwise.
TROUPE_HD uint8_t block_average(const image_view& im, int sx, int sy, int x, int y, int c) {
  int sum = 0;
  for (int dy = 0; dy < sy; ++dy)
    for (int dx = 0; dx < sx; ++dx)
      sum += at(im, x * sx + dx, y * sy + dy, c);
  if (sx == 2 && sy == 2)
    return uint8_t((sum + 2) >> 2);
  return round_to_byte(sum * (1.f / (sx * sy)));
}

TROUPE_HD bool whole(double scale) { return fabs(scale - rint(scale)) < 2.2204460492503131e-16; }

// Channel `c` of pixel (x, y) of `im` resized to dest_width × dest_height.
TROUPE_HD uint8_t area_resize_pixel(const image_view& im, int dest_width, int dest_height, int x, int y, int c) {
  double scale_x = double(im.width) / dest_width, scale_y = double(im.height) / dest_height;
  if (scale_x >= 1 && scale_y >= 1 && whole(scale_x) && whole(scale_y) && (scale_x > 1 || scale_y > 1))
    return block_average(im, int(rint(scale_x)), int(rint(scale_y)), x, y, c);
  if (scale_x >= 1 && scale_y >= 1) {
    float sum = 0;
    area_taps(y, im.height, scale_y, [&](int sy, float beta) {
      float row = 0;
      area_taps(x, im.width, scale_x, [&](int sx, float alpha) { row += alpha * at(im, sx, sy, c); });
      sum += beta * row;
    });
    return round_to_byte(sum);
  }
  auto tx = area_linear_tap(x, im.width, dest_width);
  auto ty = area_linear_tap(y, im.height, dest_height);
  // OpenCV's fixed point: 11-bit weights, rows summed exactly, then its vector code's
  // 16-bit high multiplies and a rounding shift.
  int x0 = int(rintf((1 - tx.weight) * 2048)), x1 = int(rintf(tx.weight * 2048));
  int y0 = int(rintf((1 - ty.weight) * 2048)), y1 = int(rintf(ty.weight * 2048));
  int top = at(im, tx.first, ty.first, c) * x0 + at(im, tx.second, ty.first, c) * x1;
  int bottom = at(im, tx.first, ty.second, c) * x0 + at(im, tx.second, ty.second, c) * x1;
  int v = (((top >> 4) * y0) >> 16) + (((bottom >> 4) * y1) >> 16);
  v = (v + 2) >> 2;
  return uint8_t(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// Where an image lands in the network's square input: scaled to scaled_width ×
// scaled_height at (pad_x, pad_y), grey 114 around it.
struct placement {
  int input = 0, pad_x = 0, pad_y = 0, scaled_width = 0, scaled_height = 0;
};

constexpr uint8_t letterbox_grey = 114;

// Input value (0–1) of channel c at input pixel (x, y): what apply_letterbox then
// convertTo(1/255) gives.
TROUPE_HD float letterbox_value(const image_view& im, const placement& p, int x, int y, int c) {
  int ix = x - p.pad_x, iy = y - p.pad_y;
  if (ix < 0 || iy < 0 || ix >= p.scaled_width || iy >= p.scaled_height)
    return letterbox_grey / 255.f;
  return area_resize_pixel(im, p.scaled_width, p.scaled_height, ix, iy, c) / 255.f;
}

}  // namespace troupe::gpu::detail
