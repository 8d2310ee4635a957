// Detection-based tracking: boxes from the last detection are carried forward frame
// by frame until the next detection. "flow" moves each box by the median pyramidal
// Lucas-Kanade motion of corner points inside it; "kcf" and "csrt" run OpenCV's
// correlation-filter trackers, one per box. Lost boxes are dropped.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

class box_tracker {
 public:
  virtual ~box_tracker() = default;
  // Starts over from `boxes` detected on `frame`.
  virtual void reset(const cv::Mat& frame, const std::vector<detection>& boxes) = 0;
  // The boxes on the next frame; labels, scores and ids carry over.
  virtual std::vector<detection> update(const cv::Mat& frame) = 0;
};

struct flow_tracker_settings {
  int max_points_per_box = 30;
  int min_points = 4;           // fewer surviving points: the box is lost
  double quality_level = 0.01;  // goodFeaturesToTrack
  int window_px = 15;           // LK window
  int pyramid_levels = 3;
};

// "flow", "kcf" or "csrt"; throws std::runtime_error for others.
std::unique_ptr<box_tracker> make_tracker(const std::string& kind, const flow_tracker_settings& flow = {});

}  // namespace troupe::vision
