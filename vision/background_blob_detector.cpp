#include "vision/background_blob_detector.hpp"

#include <opencv2/imgproc.hpp>

namespace troupe::vision {

background_blob_detector::background_blob_detector(blob_settings settings)
    : settings_(settings),
      mog2_(cv::createBackgroundSubtractorMOG2(settings.history, settings.var_threshold, true)),
      kernel_(cv::getStructuringElement(cv::MORPH_ELLIPSE, {settings.kernel_px, settings.kernel_px})) {}

std::vector<detection> background_blob_detector::detect(const cv::Mat& bgr) {
  cv::Mat mask;
  mog2_->apply(bgr, mask);
  cv::threshold(mask, mask, 200, 255, cv::THRESH_BINARY);  // shadows (127) are not objects
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, kernel_);
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, kernel_, {-1, -1}, 2);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  std::vector<detection> out;
  for (auto& c : contours) {
    auto box = cv::boundingRect(c);
    if (box.area() >= settings_.min_area_px)
      out.push_back({cv::Rect2f(box), 0, 1.0f});
  }
  return out;
}

}  // namespace troupe::vision
