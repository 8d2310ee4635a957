#include "vision/hog_people_detector.hpp"

namespace troupe::vision {

hog_people_detector::hog_people_detector(hog_settings settings) : settings_(settings) {
  hog_.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
}

std::vector<detection> hog_people_detector::detect(const cv::Mat& bgr) {
  if (bgr.cols < hog_.winSize.width || bgr.rows < hog_.winSize.height)
    return {};  // no window fits (and OpenCV would read out of bounds)
  std::vector<cv::Rect> boxes;
  std::vector<double> weights;
  cv::Size stride(settings_.win_stride, settings_.win_stride);
  hog_.detectMultiScale(bgr, boxes, weights, settings_.hit_threshold, stride, cv::Size(),
                        settings_.scale_step, 2.0, false);
  std::vector<detection> out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    float score = i < weights.size() ? static_cast<float>(weights[i]) : 0.f;
    if (score >= settings_.min_score)
      out.push_back({cv::Rect2f(boxes[i]), 0, score});
  }
  return out;
}

}  // namespace troupe::vision
