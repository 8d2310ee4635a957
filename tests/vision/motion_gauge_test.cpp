// The change detector's motion: a few people walking across a still 30 fps view must
// read above REACT's default threshold, sensor noise on an empty view below it.
#include <gtest/gtest.h>

#include "actors/react/react_edge.hpp"
#include "vision/motion_gauge.hpp"
#include "vision/synthetic_scene.hpp"

using namespace troupe;

namespace {

// The lowest and highest motion over `frames` frames of a fixed 30 fps view.
std::pair<double, double> motion_range(double arrivals_per_s, int frames) {
  vision::scene_config c;
  c.seed = 3;
  c.fps = 30;
  c.schedule = {{0, arrivals_per_s}};
  vision::synthetic_scene scene(c);
  for (int i = 0; i < 60; ++i)  // people already in view
    scene.next();
  vision::motion_gauge gauge;
  gauge.measure(scene.next().image);
  double lo = 1e9, hi = 0;
  for (int i = 0; i < frames; ++i) {
    double m = gauge.measure(scene.next().image);
    lo = std::min(lo, m);
    hi = std::max(hi, m);
  }
  return {lo, hi};
}

}  // namespace

TEST(MotionGauge, WalkersAreMotionAndNoiseIsNot) {
  double threshold = react_settings{}.motion_threshold;
  EXPECT_LT(motion_range(0, 30).second, threshold);  // noise only
  EXPECT_GT(motion_range(1, 30).first, threshold);   // a few people, 20-40 px wide, on 768 × 576
}

TEST(MotionGauge, TheFirstFrameHasNoMotionAndBadSettingsAreRefused) {
  vision::motion_gauge gauge;
  EXPECT_EQ(gauge.measure(cv::Mat(64, 64, CV_8UC3, cv::Scalar(1, 2, 3))), 0);
  EXPECT_THROW(vision::motion_gauge(0), std::invalid_argument);
  EXPECT_THROW(vision::motion_gauge(0.5, 0), std::invalid_argument);
}
