// OpenCV's HOG + linear SVM people detector (Dalal & Triggs), as shipped by OpenCV.
#pragma once

#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

struct hog_settings {
  double hit_threshold = 0.0;  // SVM margin a window needs to count
  int win_stride = 8;          // pixels between windows
  double scale_step = 1.05;    // pyramid scale factor
  double min_score = 0.3;      // drop weaker boxes after grouping
};

class hog_people_detector {
 public:
  explicit hog_people_detector(hog_settings settings = {});
  std::vector<detection> detect(const cv::Mat& bgr) const;

 private:
  hog_settings settings_;
  cv::HOGDescriptor hog_;
};

}  // namespace troupe::vision
