// ReMO's PPA and ABN on crafted regions and boxes.
#include <gtest/gtest.h>

#include "actors/remo/core/region_layout.hpp"
#include "actors/remo/core/regions.hpp"

using namespace troupe::remo;
using troupe::vision::detection;

TEST(RemoRegions, PaddingGrowsTowardsTheCameraAndOnlyOnSharedEdges) {
  cv::Size frame(800, 600);
  padding_settings s{0.05, 0.15};
  // Four quadrants: top-left, top-right, bottom-left, bottom-right.
  std::vector<cv::Rect> quads = {{0, 0, 400, 300}, {400, 0, 400, 300}, {0, 300, 400, 300}, {400, 300, 400, 300}};
  EXPECT_NEAR(padding_ratio(quads[0], frame, s), 0.05 + 0.15 * 150 / 600, 1e-12);  // 0.0875
  EXPECT_NEAR(padding_ratio(quads[2], frame, s), 0.05 + 0.15 * 450 / 600, 1e-12);  // 0.1625
  auto padded = pad_regions(quads, frame, s);
  // Top-left: right edge by 0.0875 × 400 = 35 (both top regions alike), bottom edge by
  // 0.0875 × 300 ≈ 26; its frame borders stay.
  EXPECT_EQ(padded[0], cv::Rect(0, 0, 435, 326));
  // Bottom-left: right edge by 0.1625 × 400 = 65, top edge by 0.1625 × 300 ≈ 49: nearer, larger.
  EXPECT_EQ(padded[2], cv::Rect(0, 251, 465, 349));
  EXPECT_GT(padded[2].area(), padded[0].area());
}

TEST(RemoRegions, SideBySideRegionsShareTheAverageRatio) {
  cv::Size frame(800, 600);
  padding_settings s{0.1, 0.0};  // no perspective: every ratio 0.1
  std::vector<cv::Rect> halves = {{0, 0, 400, 600}, {400, 0, 400, 600}};
  auto padded = pad_regions(halves, frame, s);
  EXPECT_EQ(padded[0], cv::Rect(0, 0, 440, 600));
  EXPECT_EQ(padded[1], cv::Rect(360, 0, 440, 600));
  auto alone = pad_regions({{100, 100, 200, 200}}, frame, s);
  EXPECT_EQ(alone[0], cv::Rect(100, 100, 200, 200));  // nothing shared, nothing padded
}

TEST(RemoRegions, AbnKeepsTheLargestOfOverlappingBoxes) {
  std::vector<detection> boxes = {
    {{100, 100, 40, 80}, 0, 0.9f},  // the half seen by one region
    {{100, 100, 80, 80}, 0, 0.6f},  // the whole object, from the padded region: kept
    {{300, 100, 30, 60}, 0, 0.7f},  // another object
    {{105, 105, 60, 60}, 1, 0.8f},  // another class on top of the first: kept
  };
  auto kept = area_based_suppression(boxes);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].box, cv::Rect2f(100, 100, 80, 80));  // largest, despite its lower score
  EXPECT_EQ(kept[1].label, 1);
  EXPECT_EQ(kept[2].box, cv::Rect2f(300, 100, 30, 60));
  // A small box half outside the big one (overlap 0.5 of its area) is another object.
  auto apart = area_based_suppression({{{0, 0, 100, 100}, 0, 1}, {{80, 0, 40, 40}, 0, 1}});
  EXPECT_EQ(apart.size(), 2u);
}

TEST(RemoRegions, LayoutCutsWhereTheDetectionsSplitEvenly) {
  std::vector<troupe::vision::detection> boxes;
  for (int i = 0; i < 30; ++i)  // most traffic on the left, at the bottom
    boxes.push_back({cv::Rect2f(i < 24 ? 40.f + i : 600.f, 400.f + i, 20, 40), 0, 1});
  auto regions = troupe::remo::regions_from_detections(boxes, {768, 576}, 2, 2);
  ASSERT_EQ(regions.size(), 4u);
  EXPECT_EQ(regions[0].tl(), cv::Point(0, 0));
  EXPECT_EQ(regions[3].br(), cv::Point(768, 576));  // the grid covers the whole frame
  EXPECT_LT(regions[0].width, 100);                 // the column cut sits in the busy left
  EXPECT_GT(regions[0].height, 400);                // the row cut sits low, where they walk
  EXPECT_THROW(troupe::remo::regions_from_detections({}, {768, 576}, 2, 2), std::runtime_error);
}
