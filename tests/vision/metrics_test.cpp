// Metrics pinned to cases computed by hand.
#include <gtest/gtest.h>

#include "vision/metrics.hpp"

using namespace troupe::vision;

namespace {

detection box(float x, float y, float w, float h, float score = 1, int label = 0) {
  return {cv::Rect2f(x, y, w, h), label, score};
}

}  // namespace

TEST(Metrics, IntersectionOverUnion) {
  EXPECT_NEAR(iou({0, 0, 10, 10}, {5, 0, 10, 10}), 50.0 / 150.0, 1e-9);
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {0, 0, 10, 10}), 1.0);
  EXPECT_DOUBLE_EQ(iou({0, 0, 10, 10}, {20, 20, 5, 5}), 0.0);
  EXPECT_DOUBLE_EQ(iou({0, 0, 0, 0}, {0, 0, 0, 0}), 0.0);
}

TEST(Metrics, MatchFrameCountsAndF1) {
  std::vector<detection> truth = {box(0, 0, 10, 10), box(20, 0, 10, 10)};
  std::vector<detection> found = {box(1, 0, 10, 10, 0.8f),   // A is taken by the better one
                                  box(0, 0, 10, 10, 0.9f),   // matches A
                                  box(50, 50, 5, 5, 0.7f)};  // nothing there
  auto c = match_frame(found, truth);
  EXPECT_EQ(c.true_positives, 1u);
  EXPECT_EQ(c.false_positives, 2u);
  EXPECT_EQ(c.false_negatives, 1u);
  EXPECT_NEAR(c.precision(), 1.0 / 3, 1e-9);
  EXPECT_NEAR(c.recall(), 0.5, 1e-9);
  EXPECT_NEAR(c.f1(), 0.4, 1e-9);  // 2·(1/3·1/2)/(1/3+1/2)
}

TEST(Metrics, MatchNeedsSameLabelAndEnoughOverlap) {
  auto c = match_frame({box(0, 0, 10, 10, 1, 1)}, {box(0, 0, 10, 10, 1, 0)});
  EXPECT_EQ(c.true_positives, 0u);
  EXPECT_EQ(c.false_positives, 1u);
  EXPECT_EQ(c.false_negatives, 1u);
  // IoU of exactly 0.5 counts: [0,10]x[0,10] against [0,10]x[0,5] is 50/100.
  EXPECT_EQ(match_frame({box(0, 0, 10, 5)}, {box(0, 0, 10, 10)}).true_positives, 1u);
  EXPECT_EQ(match_frame({box(0, 0, 10, 4)}, {box(0, 0, 10, 10)}).true_positives, 0u);
}

TEST(Metrics, EmptyFrames) {
  auto nothing = match_frame({}, {});
  EXPECT_DOUBLE_EQ(nothing.f1(), 1.0);  // nothing to find, nothing claimed
  auto missed = match_frame({}, {box(0, 0, 5, 5)});
  EXPECT_DOUBLE_EQ(missed.recall(), 0.0);
  EXPECT_DOUBLE_EQ(missed.f1(), 0.0);
  match_counts total = nothing;
  total += missed;
  EXPECT_EQ(total.false_negatives, 1u);
}

TEST(Metrics, VocMeanAveragePrecision) {
  map_accumulator m;
  // Frame 1: two people, one found (0.9), one false alarm (0.8).
  m.add_frame({box(0, 0, 10, 10, 0.9f), box(100, 100, 10, 10, 0.8f)},
              {box(0, 0, 10, 10), box(30, 0, 10, 10)});
  // Frame 2: one person found (0.7), one false alarm (0.6); a class-1 object missed.
  m.add_frame({box(0, 0, 10, 10, 0.7f), box(60, 60, 10, 10, 0.6f)},
              {box(0, 0, 10, 10), box(80, 0, 10, 10, 1, 1)});
  // Ranked: TP FP TP FP; precision 1 .5 .667 .5 → envelope 1 .667 .667 .5;
  // recall 1/3 1/3 2/3 2/3 → AP = 1/3·1 + 1/3·2/3 = 5/9.
  auto ap = m.average_precision();
  ASSERT_EQ(ap.size(), 2u);
  EXPECT_NEAR(ap[0], 5.0 / 9, 1e-9);
  EXPECT_DOUBLE_EQ(ap[1], 0.0);
  EXPECT_NEAR(m.mean_average_precision(), 5.0 / 18, 1e-9);
}

// Past its cap the accumulator keeps counts per score: the same AP for distinct scores,
// and a tie group counted as one step.
TEST(Metrics, VocMeanAveragePrecisionStaysTheSameWhenGrouped) {
  map_accumulator exact, grouped(0.5, 1);
  for (auto* m : {&exact, &grouped}) {
    m->add_frame({box(0, 0, 10, 10, 0.9f), box(100, 100, 10, 10, 0.8f)}, {box(0, 0, 10, 10), box(30, 0, 10, 10)});
    m->add_frame({box(0, 0, 10, 10, 0.7f), box(60, 60, 10, 10, 0.6f)}, {box(0, 0, 10, 10), box(80, 0, 10, 10, 1, 1)});
  }
  EXPECT_NEAR(grouped.average_precision()[0], 5.0 / 9, 1e-9);
  EXPECT_NEAR(grouped.mean_average_precision(), exact.mean_average_precision(), 1e-12);
  map_accumulator ties(0.5, 1);  // a TP and an FP at one score: one step at precision 1/2
  ties.add_frame({box(0, 0, 10, 10, 0.5f), box(50, 50, 10, 10, 0.5f)}, {box(0, 0, 10, 10)});
  EXPECT_NEAR(ties.mean_average_precision(), 0.5, 1e-9);
}

TEST(Metrics, PerfectDetectionsGiveApOne) {
  map_accumulator m;
  m.add_frame({box(0, 0, 10, 10, 0.5f), box(20, 20, 10, 10, 0.6f)}, {box(0, 0, 10, 10), box(20, 20, 10, 10)});
  EXPECT_DOUBLE_EQ(m.mean_average_precision(), 1.0);
  EXPECT_DOUBLE_EQ(map_accumulator().mean_average_precision(), 0.0);
}

TEST(Metrics, MeanIouOfMasks) {
  cv::Mat truth = (cv::Mat_<uint8_t>(2, 2) << 0, 0, 1, 1);
  cv::Mat pred = (cv::Mat_<uint8_t>(2, 2) << 0, 1, 1, 1);
  miou_accumulator m;
  m.add(pred, truth);
  auto per_class = m.iou_per_class();
  EXPECT_DOUBLE_EQ(per_class[0], 0.5);        // 1 shared pixel of 2
  EXPECT_NEAR(per_class[1], 2.0 / 3, 1e-9);   // 2 shared pixels of 3
  EXPECT_NEAR(m.mean_iou(), 7.0 / 12, 1e-9);
  // Accumulates pixels over frames rather than averaging frames.
  m.add(truth, truth);
  EXPECT_NEAR(m.iou_per_class()[0], 3.0 / 4, 1e-9);
}

TEST(Metrics, MeanIouSkipsIgnoredTruth) {
  cv::Mat truth = (cv::Mat_<uint8_t>(1, 3) << 0, 255, 1);
  cv::Mat pred = (cv::Mat_<uint8_t>(1, 3) << 0, 1, 1);
  miou_accumulator m(255);
  m.add(pred, truth);
  EXPECT_DOUBLE_EQ(m.mean_iou(), 1.0);
  EXPECT_THROW(m.add(cv::Mat::zeros(2, 2, CV_8U), truth), std::invalid_argument);
}

TEST(Metrics, LoadBalanceIndexIsVariance) {
  EXPECT_NEAR(load_balance_index({1, 2, 3}), 2.0 / 3, 1e-9);
  EXPECT_DOUBLE_EQ(load_balance_index({4, 4, 4}), 0.0);
  EXPECT_DOUBLE_EQ(load_balance_index({}), 0.0);
}
