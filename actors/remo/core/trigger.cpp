#include "actors/remo/core/trigger.hpp"

#include <opencv2/imgproc.hpp>

namespace troupe::remo {

std::vector<region_signal> region_signals(const cv::Mat& previous_grey, const cv::Mat& grey,
                                          const std::vector<cv::Rect>& regions, cv::DISOpticalFlow& flow) {
  cv::Mat motion, edges;
  flow.calc(previous_grey, grey, motion);
  cv::Canny(grey, edges, 50, 150);
  std::vector<region_signal> out;
  for (auto& r : regions) {
    cv::Scalar mean, stddev;
    cv::meanStdDev(motion(r), mean, stddev);  // per component: u and v
    region_signal s;
    s.flow_std = std::sqrt(stddev[0] * stddev[0] + stddev[1] * stddev[1]);
    s.edge_ratio = double(cv::countNonZero(edges(r))) / r.area();
    out.push_back(s);
  }
  return out;
}

double flag(const region_signal& s, const trigger_settings& t) {
  return t.w1 * s.flow_std + t.w2 * s.edge_ratio;
}

detect_trigger::detect_trigger(size_t regions, trigger_settings settings)
    : settings_(settings), last_flag_(regions, 0), rise_(regions, 0), q_(settings.q_base) {}

std::vector<bool> detect_trigger::update(const std::vector<region_signal>& signals, double dt_s) {
  std::vector<bool> fire(signals.size(), false);
  for (size_t r = 0; r < signals.size(); ++r) {
    double now = flag(signals[r], settings_);
    rise_[r] = primed_ && dt_s > 0 ? (now - last_flag_[r]) / dt_s : 0;
    fire[r] = rise_[r] > q_;
    last_flag_[r] = now;
  }
  primed_ = true;
  return fire;
}

}  // namespace troupe::remo
