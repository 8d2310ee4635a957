// A detected (or ground-truth) object: box in pixels, class label, score.
#pragma once

#include <opencv2/core.hpp>

namespace troupe::vision {

struct detection {
  cv::Rect2f box;
  int label = 0;    // class id; 0 is "person" for the people detectors
  float score = 1;  // 1 for ground truth
  int id = -1;      // an identity that trackers carry from frame to frame; -1: none
};

// Intersection over union of two boxes; 0 when either is empty.
double iou(const cv::Rect2f& a, const cv::Rect2f& b);

}  // namespace troupe::vision
