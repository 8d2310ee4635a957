#include "vision/cascade_detector.hpp"

#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace troupe::vision {

cascade_detector::cascade_detector(std::string model, const std::string& cascade_file, cv::Size min_size)
    : model_(std::move(model)), min_size_(min_size) {
  bool loaded = false;
  try {
    loaded = cascade_.load(cascade_file);
  } catch (const cv::Exception&) {
    loaded = false;
  }
  if (!loaded)
    throw std::runtime_error("model " + model_ + ": " + cascade_file +
                             " is missing or not a cascade classifier (package opencv-data)");
}

std::vector<detection> cascade_detector::detect(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  cv::equalizeHist(gray, gray);
  std::vector<cv::Rect> boxes;
  std::vector<int> neighbours;
  cascade_.detectMultiScale(gray, boxes, neighbours, 1.1, 3, 0, min_size_);
  std::vector<detection> out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    // More agreeing neighbours, more confidence: a score in (0, 1).
    float score = 1.0f - 1.0f / (1.0f + static_cast<float>(i < neighbours.size() ? neighbours[i] : 1));
    out.push_back({cv::Rect2f(boxes[i]), 0, score});
  }
  return out;
}

}  // namespace troupe::vision
