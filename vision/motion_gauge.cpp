#include "vision/motion_gauge.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace troupe::vision {

motion_gauge::motion_gauge(double scale, double percentile)
    : scale_(scale), percentile_(percentile),
      flow_(cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_ULTRAFAST)) {
  if (scale <= 0 || scale > 1)
    throw std::invalid_argument("motion_gauge: scale must be in (0, 1]");
  if (percentile <= 0 || percentile > 100)
    throw std::invalid_argument("motion_gauge: percentile must be in (0, 100]");
}

double motion_gauge::measure(const cv::Mat& bgr) {
  cv::Mat grey, small;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::resize(grey, small, cv::Size(), scale_, scale_, cv::INTER_AREA);
  double motion = 0;
  if (!previous_.empty() && previous_.size() == small.size()) {
    cv::Mat flow, parts[2], magnitude;
    flow_->calc(previous_, small, flow);
    cv::split(flow, parts);
    cv::magnitude(parts[0], parts[1], magnitude);
    std::vector<float> values(magnitude.begin<float>(), magnitude.end<float>());
    auto at = values.begin() + std::ptrdiff_t(std::min(values.size() - 1, size_t(percentile_ / 100 * double(values.size()))));
    std::nth_element(values.begin(), at, values.end());
    motion = *at / scale_;
  }
  previous_ = small;
  return motion;
}

}  // namespace troupe::vision
