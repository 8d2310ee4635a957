// Moving objects of a fixed camera: MOG2 background subtraction, cleaned with a
// morphological open/close, each remaining blob a box (what VideoJam's fixed cameras
// run before the object detector).
#pragma once

#include <opencv2/video/background_segm.hpp>

#include "vision/detector.hpp"

namespace troupe::vision {

class background_blob_detector final : public detector {
 public:
  explicit background_blob_detector(blob_settings settings = {});
  std::vector<detection> detect(const cv::Mat& bgr) override;
  const std::string& model() const override { return model_; }
  bool per_camera() const override { return true; }

 private:
  blob_settings settings_;
  cv::Ptr<cv::BackgroundSubtractorMOG2> mog2_;
  cv::Mat kernel_;
  std::string model_ = "mog2";
};

}  // namespace troupe::vision
