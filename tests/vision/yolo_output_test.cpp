#include <gtest/gtest.h>

#include "vision/yolo_output.hpp"

using namespace troupe::vision;

TEST(YoloOutput, LetterboxKeepsAspectAndCentres) {
  // 768×576 into 320×320: scale 320/768, height 240, 40 px bars above and below.
  auto lb = fit_letterbox({768, 576}, {320, 320});
  EXPECT_FLOAT_EQ(lb.scale, 320.f / 768);
  EXPECT_EQ(lb.pad_x, 0);
  EXPECT_EQ(lb.pad_y, 40);
  cv::Mat image(576, 768, CV_8UC3, cv::Scalar(10, 20, 30));
  auto in = apply_letterbox(image, lb);
  EXPECT_EQ(in.size(), cv::Size(320, 320));
  EXPECT_EQ(in.at<cv::Vec3b>(0, 0), cv::Vec3b(114, 114, 114));
  EXPECT_EQ(in.at<cv::Vec3b>(160, 160), cv::Vec3b(10, 20, 30));
  cv::Rect2f box(100, 200, 40, 96);
  auto back = from_letterbox(to_letterbox(box, lb), lb);
  EXPECT_NEAR(back.x, 100, 1e-3);
  EXPECT_NEAR(back.y, 200, 1e-3);
  EXPECT_NEAR(back.height, 96, 1e-3);
  // Input (0, 40) is the image's top-left corner.
  EXPECT_NEAR(from_letterbox({0, 40, 10, 10}, lb).y, 0, 1e-4);
}

TEST(YoloOutput, RowsDecodeToCornerBoxesWithClassTimesObjectness) {
  const float rows[] = {
    50, 60, 20, 40, 0.9f, 0.1f, 0.8f,   // class 1, score 0.72
    10, 10, 4, 4, 0.2f, 0.9f, 0.1f,     // 0.18: under the threshold
  };
  auto found = decode_yolo_rows(rows, 2, 7, 0.25f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].label, 1);
  EXPECT_NEAR(found[0].score, 0.72, 1e-6);
  EXPECT_EQ(found[0].box, cv::Rect2f(40, 40, 20, 40));
}

TEST(YoloOutput, ShapesThatDoNotDecodeAreExplained) {
  EXPECT_EQ(check_yolo_shape({1, 1600, 6}), "");
  EXPECT_NE(check_yolo_shape({1, 6}).find("[1, 6]"), std::string::npos);
  EXPECT_NE(check_yolo_shape({1, 100, 5}), "");
}

TEST(YoloOutput, SuppressionIsPerClassAndKeepsTheStrongest) {
  std::vector<detection> boxes = {
    {{0, 0, 10, 10}, 0, 0.6f},
    {{1, 1, 10, 10}, 0, 0.9f},   // IoU with the first 0.68: the first goes
    {{1, 1, 10, 10}, 1, 0.5f},   // other class: stays
    {{30, 30, 10, 10}, 0, 0.3f}, // apart: stays
  };
  auto kept = non_max_suppression(boxes, 0.45f);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_FLOAT_EQ(kept[0].score, 0.9f);
  EXPECT_EQ(kept[1].label, 1);
  EXPECT_FLOAT_EQ(kept[2].score, 0.3f);
}

TEST(YoloOutput, RegionsAreScaledAsTheirFrame) {
  // A 384×288 region of a 768-wide frame gets the frame's scale, 320/768, not 320/384.
  auto lb = fit_letterbox({384, 288}, {320, 320}, 768);
  EXPECT_FLOAT_EQ(lb.scale, 320.0f / 768);
  EXPECT_EQ(lb.pad_x, (320 - 160) / 2);
  EXPECT_FLOAT_EQ(fit_letterbox({384, 288}, {320, 320}).scale, 320.0f / 384);
}
