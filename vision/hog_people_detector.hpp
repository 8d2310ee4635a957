// OpenCV's HOG + linear SVM people detector (Dalal & Triggs), as shipped by OpenCV.
#pragma once

#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/objdetect.hpp>

#include "vision/detector.hpp"

namespace troupe::vision {

class hog_people_detector final : public detector {
 public:
  explicit hog_people_detector(hog_settings settings = {});
  std::vector<detection> detect(const cv::Mat& bgr) override;
  const std::string& model() const override { return model_; }

 private:
  hog_settings settings_;
  cv::HOGDescriptor hog_;
  std::string model_ = "hog";
};

}  // namespace troupe::vision
