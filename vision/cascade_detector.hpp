// OpenCV Haar/LBP cascade classifiers, e.g. the full-body, upper-body and face
// cascades that Debian's opencv-data ships.
#pragma once

#include <opencv2/objdetect.hpp>

#include "vision/detector.hpp"

namespace troupe::vision {

class cascade_detector final : public detector {
 public:
  // Throws std::runtime_error naming the file when it is missing or not a cascade.
  cascade_detector(std::string model, const std::string& cascade_file, cv::Size min_size = {24, 48});
  std::vector<detection> detect(const cv::Mat& bgr) override;
  const std::string& model() const override { return model_; }

 private:
  std::string model_;
  cv::CascadeClassifier cascade_;
  cv::Size min_size_;
};

}  // namespace troupe::vision
