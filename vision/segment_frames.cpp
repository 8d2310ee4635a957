#include "vision/segment_frames.hpp"

#include <opencv2/imgproc.hpp>

#include "vision/metrics.hpp"
#include "vision/street_scene.hpp"

namespace troupe::vision {

std::vector<cv::Mat> scaled_frames(const std::vector<cv::Mat>& bgr, cv::Size size) {
  std::vector<cv::Mat> out;
  for (auto& f : bgr) {
    if (f.size() == size) {
      out.push_back(f);
      continue;
    }
    cv::Mat r;
    cv::resize(f, r, size, 0, 0, cv::INTER_AREA);
    out.push_back(r);
  }
  return out;
}

cv::Mat luma_at(const cv::Mat& bgr, cv::Size size) {
  cv::Mat grey, out;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::resize(grey, out, size, 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat labels_at(const cv::Mat& labels, cv::Size size) {
  if (labels.size() == size)
    return labels;
  cv::Mat up;
  cv::resize(labels, up, size, 0, 0, cv::INTER_NEAREST);
  return up;
}

double street_miou(const cv::Mat& predicted, const cv::Mat& truth) {
  miou_accumulator acc(street_ignore);
  acc.add(predicted, truth);
  return acc.mean_iou();
}

}  // namespace troupe::vision
