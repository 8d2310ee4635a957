// ReMO's region handling (remo.txt, sections IV.B and VI): perspective-aware padding
// (PPA) of regions so objects on a shared boundary stay whole, and area-based
// suppression (ABN) of duplicate boxes from several regions, sources and tracking.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::remo {

struct padding_settings {
  double base_ratio = 0.05;        // padding of a region at the top of the frame, share of its size
  double perspective_gain = 0.15;  // added at the bottom (closest to the camera, objects largest)
};

// Each region's shared boundaries pushed out: top/bottom edges by its own ratio × its
// height, left/right edges (parallel to the camera's view) by the average of its and
// its neighbour's ratios × its width; frame borders stay. Regions in frame pixels.
std::vector<cv::Rect> pad_regions(const std::vector<cv::Rect>& regions, cv::Size frame, const padding_settings& s);
double padding_ratio(const cv::Rect& region, cv::Size frame, const padding_settings& s);

// ABN: boxes of one class overlapping by at least `overlap` of the smaller one's area
// are one object; the largest box, the most complete, is kept.
std::vector<vision::detection> area_based_suppression(std::vector<vision::detection> boxes, double overlap = 0.6);

}  // namespace troupe::remo
