// What cameras see: synthetic scenes through crops (ground truth moves with them),
// mobile cameras whose crop pans and bounces, density schedules.
#include <gtest/gtest.h>

#include "vision/frame_source.hpp"

using namespace troupe::vision;

namespace {

source_settings synthetic(cv::Rect crop, cv::Point2d pan = {}) {
  source_settings s;
  scene_config c;
  c.seed = 11;
  c.schedule = {{0, 3}};
  s.scene = c;
  s.view.crop = crop;
  s.view.start_frame = 50;  // people have walked in
  s.pan_px_s = pan;
  return s;
}

}  // namespace

TEST(FrameSource, ACropSeesTheSceneAndItsTruthShifted) {
  auto whole = open_frame_source(synthetic({}));
  auto right = open_frame_source(synthetic({384, 0, 384, 576}));
  auto w = *whole->next();
  auto r = *right->next();
  ASSERT_TRUE(w.truth && r.truth);
  EXPECT_EQ(r.image.size(), cv::Size(384, 576));
  EXPECT_EQ(r.crop, cv::Rect(384, 0, 384, 576));
  // Same pixels as the right half of the whole view.
  EXPECT_EQ(cv::norm(w.image(cv::Rect(384, 0, 384, 576)), r.image, cv::NORM_INF), 0);
  // The crop's truth is the whole truth moved left by 384 and kept when mostly in view.
  auto expected = crop_truth(*w.truth, {384, 0, 384, 576}, 0.5);
  ASSERT_EQ(r.truth->size(), expected.size());
  ASSERT_FALSE(expected.empty());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ((*r.truth)[i].box, expected[i].box);
  for (auto& d : *r.truth)
    EXPECT_GE(d.box.x, 0);
}

TEST(FrameSource, AMobileCameraPansAndBounces) {
  cv::Size frame(768, 576);
  cv::Rect crop(0, 0, 368, 576);  // 400 px of room to the right
  EXPECT_EQ(crop_at(crop, {100, 0}, 0, frame).x, 0);
  EXPECT_EQ(crop_at(crop, {100, 0}, 3, frame).x, 300);
  EXPECT_EQ(crop_at(crop, {100, 0}, 5, frame).x, 300);  // 500 px: bounced back 100 from the edge
  EXPECT_EQ(crop_at(crop, {100, 0}, 8, frame).x, 0);    // and home again
  EXPECT_EQ(crop_at(crop, {}, 8, frame).x, 0);          // a fixed camera
  auto s = synthetic(crop, {100, 0});
  s.fps = 10;
  auto camera = open_frame_source(s);
  auto first = *camera->next();
  for (int i = 0; i < 9; ++i)
    camera->next();
  auto second = *camera->next();  // one second later
  EXPECT_EQ(first.crop.x, 0);
  EXPECT_EQ(second.crop.x, 100);
}

TEST(FrameSource, DensitySchedulesAreParsedOrExplained) {
  auto phases = parse_density_schedule("0:1, 20:4,40:0.2");
  ASSERT_EQ(phases.size(), 3u);
  EXPECT_DOUBLE_EQ(phases[1].start_s, 20);
  EXPECT_DOUBLE_EQ(phases[2].arrivals_per_s, 0.2);
  EXPECT_THROW(parse_density_schedule("5:1"), std::runtime_error);       // must start at 0
  EXPECT_THROW(parse_density_schedule("0:1, 0:2"), std::runtime_error);  // must rise
  EXPECT_THROW(parse_density_schedule("0-1"), std::runtime_error);
}
