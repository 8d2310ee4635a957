// ReMO's Detect Trigger on a crafted scene change, and Q following the delay queue.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "policies/remo_trigger.hpp"

using namespace troupe::remo;

namespace {

cv::Mat textured_floor() {
  cv::Mat grey(240, 320, CV_8UC1);
  cv::RNG rng(3);
  rng.fill(grey, cv::RNG::UNIFORM, 100, 110);  // faint texture, few edges
  return grey;
}

}  // namespace

TEST(RemoTrigger, ANewObjectFiresItsRegionOnly) {
  std::vector<cv::Rect> regions = {{0, 0, 160, 240}, {160, 0, 160, 240}};
  auto dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_FAST);
  auto before = textured_floor();
  auto after = before.clone();
  cv::rectangle(after, cv::Rect(200, 60, 40, 100), cv::Scalar(250), cv::FILLED);  // someone walks into region 1
  detect_trigger trigger(2, {});
  auto still = region_signals(before, before, regions, *dis);
  EXPECT_EQ(trigger.update(still, 0.2), (std::vector<bool>{false, false}));  // first call records
  EXPECT_EQ(trigger.update(still, 0.2), (std::vector<bool>{false, false}));  // nothing changed
  auto changed = region_signals(before, after, regions, *dis);
  EXPECT_GT(changed[1].edge_ratio, still[1].edge_ratio);
  EXPECT_NEAR(changed[0].edge_ratio, still[0].edge_ratio, 1e-9);
  EXPECT_EQ(trigger.update(changed, 0.2), (std::vector<bool>{false, true}));
}

TEST(RemoTrigger, FlagWeightsAndAThresholdThatRisesWithTheQueue) {
  trigger_settings t;
  EXPECT_NEAR(flag({2.0, 0.1}, t), 0.4 * 2.0 + 0.3 * 0.1, 1e-12);
  detect_trigger trigger(1, t);
  trigger.update({{0, 0}}, 1);
  EXPECT_EQ(trigger.update({{2, 0}}, 1), std::vector<bool>{true});  // dFlag/dt 0.8 > 0.5
  trigger.adapt(0.5);                                               // Q = 0.5 + 1.0 × 0.5
  EXPECT_DOUBLE_EQ(trigger.threshold(), 1.0);
  EXPECT_EQ(trigger.update({{4, 0}}, 1), std::vector<bool>{false});  // the same rise no longer fires
}
