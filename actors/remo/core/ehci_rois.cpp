#include "actors/remo/core/ehci_rois.hpp"

#include <cmath>

namespace troupe::ehci {

namespace {

cv::Rect padded(const cv::Rect2f& box, double padding, cv::Size frame) {
  double dx = box.width * padding, dy = box.height * padding;
  cv::Rect r(cv::Point(int(std::floor(box.x - dx)), int(std::floor(box.y - dy))),
             cv::Point(int(std::ceil(box.x + box.width + dx)), int(std::ceil(box.y + box.height + dy))));
  return r & cv::Rect(cv::Point(0, 0), frame);
}

}  // namespace

std::vector<cv::Rect> padded_rois(const std::vector<vision::detection>& previous, double padding, cv::Size frame) {
  std::vector<cv::Rect> rois;
  for (auto& d : previous) {
    auto roi = padded(d.box, padding, frame);
    if (roi.area() == 0)
      continue;
    // Merge with every ROI it overlaps, until it overlaps none.
    for (bool merged = true; merged;) {
      merged = false;
      for (auto it = rois.begin(); it != rois.end(); ++it)
        if ((*it & roi).area() > 0) {
          roi |= *it;
          rois.erase(it);
          merged = true;
          break;
        }
    }
    rois.push_back(roi);
  }
  return rois;
}

}  // namespace troupe::ehci
