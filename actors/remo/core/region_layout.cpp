#include "actors/remo/core/region_layout.hpp"

#include <algorithm>
#include <stdexcept>

namespace troupe::remo {

namespace {

// 0, the cuts at the quantiles 1/parts … (parts−1)/parts of `values`, and `size`.
std::vector<int> cuts(std::vector<double> values, int parts, int size) {
  std::sort(values.begin(), values.end());
  std::vector<int> out{0};
  for (int k = 1; k < parts; ++k) {
    int at = int(values[values.size() * size_t(k) / size_t(parts)]);
    out.push_back(std::clamp(at, out.back() + 1, size - (parts - k)));  // every region at least a pixel wide
  }
  out.push_back(size);
  return out;
}

}  // namespace

std::vector<cv::Rect> regions_from_detections(const std::vector<vision::detection>& boxes, cv::Size frame, int rows,
                                              int cols) {
  if (boxes.empty())
    throw std::runtime_error("no detections to draw regions from");
  if (rows < 1 || cols < 1 || rows > frame.height || cols > frame.width)
    throw std::runtime_error("regions need at least one row and column, and no more than the frame has pixels");
  std::vector<double> xs, ys;
  for (auto& b : boxes) {
    xs.push_back(b.box.x + b.box.width / 2);
    ys.push_back(b.box.y + b.box.height / 2);
  }
  auto x = cuts(xs, cols, frame.width), y = cuts(ys, rows, frame.height);
  std::vector<cv::Rect> regions;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      regions.emplace_back(cv::Point(x[c], y[r]), cv::Point(x[c + 1], y[r + 1]));
  return regions;
}

}  // namespace troupe::remo
