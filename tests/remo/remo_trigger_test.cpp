// ReMO's Detect Trigger on a crafted scene change, and Q following the delay queue.
#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "actors/remo/core/trigger.hpp"
#include "actors/remo/core/trigger_fit.hpp"

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

TEST(RemoTrigger, FitFindsTheWeightsThatExplainTheF1Drop) {
  std::vector<troupe::remo::trigger_sample> samples;
  for (int i = 0; i < 50; ++i) {
    double s = 0.1 * (i % 7), e = 0.02 * (i % 11);
    samples.push_back({s, e, 0.4 * s + 0.3 * e});  // the paper's weights, exactly
  }
  auto fit = troupe::remo::fit_trigger_weights(samples, 0.1, 5);
  EXPECT_NEAR(fit.w1, 0.4, 1e-9);
  EXPECT_NEAR(fit.w2, 0.3, 1e-9);
  EXPECT_NEAR(fit.mse, 0, 1e-12);
  ASSERT_EQ(fit.fold_mse.size(), 5u);
  EXPECT_NEAR(fit.cv_mse, 0, 1e-12);
}

TEST(RemoTrigger, CrossValidationScoresEachFoldWithWeightsChosenWithoutIt) {
  std::vector<troupe::remo::trigger_sample> samples;
  for (int i = 0; i < 40; ++i)  // the last fold follows another law than the first four
    samples.push_back({1, 0, i < 32 ? 0.2 : 0.8});
  auto fit = troupe::remo::fit_trigger_weights(samples, 0.1, 5);
  EXPECT_NEAR(fit.fold_weights[4].first, 0.2, 1e-9);  // chosen on the first four folds ...
  EXPECT_NEAR(fit.fold_mse[4], 0.36, 1e-9);           // ... misses the fifth by 0.6
  EXPECT_NEAR(fit.w1, 0.3, 1e-9);  // on everything: 0.2·0.8 + 0.8·0.2 = 0.32, nearest grid point 0.3
  EXPECT_GT(fit.cv_mse, fit.mse);
}
