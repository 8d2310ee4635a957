#include "actors/remo/core/regions.hpp"

#include <algorithm>

namespace troupe::remo {

double padding_ratio(const cv::Rect& region, cv::Size frame, const padding_settings& s) {
  double centre_y = region.y + region.height / 2.0;
  return s.base_ratio + s.perspective_gain * centre_y / frame.height;  // lower in the frame: closer
}

namespace {

// Whether `a` and `b` touch along a vertical (left/right) or horizontal edge.
bool share_vertical_edge(const cv::Rect& a, const cv::Rect& b) {
  bool touching = a.x + a.width == b.x || b.x + b.width == a.x;
  return touching && std::min(a.y + a.height, b.y + b.height) > std::max(a.y, b.y);
}

bool share_horizontal_edge(const cv::Rect& a, const cv::Rect& b) {
  bool touching = a.y + a.height == b.y || b.y + b.height == a.y;
  return touching && std::min(a.x + a.width, b.x + b.width) > std::max(a.x, b.x);
}

}  // namespace

std::vector<cv::Rect> pad_regions(const std::vector<cv::Rect>& regions, cv::Size frame, const padding_settings& s) {
  std::vector<cv::Rect> out;
  for (auto& r : regions) {
    double own = padding_ratio(r, frame, s);
    int left = 0, right = 0, top = 0, bottom = 0;
    for (auto& n : regions) {
      if (&n == &r)
        continue;
      int side = int(std::lround((own + padding_ratio(n, frame, s)) / 2 * r.width));
      int across = int(std::lround(own * r.height));
      if (share_vertical_edge(r, n))
        (n.x < r.x ? left : right) = std::max(n.x < r.x ? left : right, side);
      if (share_horizontal_edge(r, n))
        (n.y < r.y ? top : bottom) = std::max(n.y < r.y ? top : bottom, across);
    }
    cv::Rect padded(r.x - left, r.y - top, r.width + left + right, r.height + top + bottom);
    out.push_back(padded & cv::Rect({}, frame));
  }
  return out;
}

std::vector<vision::detection> area_based_suppression(std::vector<vision::detection> boxes, double overlap) {
  std::stable_sort(boxes.begin(), boxes.end(), [](auto& a, auto& b) { return a.box.area() > b.box.area(); });
  std::vector<vision::detection> kept;
  for (auto& candidate : boxes) {
    bool duplicate = std::any_of(kept.begin(), kept.end(), [&](const vision::detection& k) {
      return k.label == candidate.label && (k.box & candidate.box).area() >= overlap * candidate.box.area();
    });
    if (!duplicate)
      kept.push_back(candidate);
  }
  return kept;
}

}  // namespace troupe::remo
