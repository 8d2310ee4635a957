// How much a scene moved between two frames: a high percentile (99th by default) of the
// magnitude of DIS dense optical flow, in pixels per frame at full resolution, computed
// on a scaled-down grey copy. A percentile rather than the mean, so that a few small
// objects walking across a still view count as motion (the mean of such a view is
// below its own sensor noise's). It is REACT's change detector (react.txt, §3.1):
// detections are only asked for when the relative motion of the objects and the camera
// exceeds a threshold.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

namespace troupe::vision {

class motion_gauge {
 public:
  // `scale`: the flow is computed on frames resized by this factor (cheaper, and
  // sensor noise averages out); the result is given back in full-resolution pixels.
  // `percentile` of the per-pixel flow magnitudes is the measure, in (0, 100].
  explicit motion_gauge(double scale = 0.25, double percentile = 99);
  // Motion from the previous frame given to `measure` to this one; 0 for the first.
  double measure(const cv::Mat& bgr);

 private:
  double scale_, percentile_;
  cv::Ptr<cv::DISOpticalFlow> flow_;
  cv::Mat previous_;
};

}  // namespace troupe::vision
