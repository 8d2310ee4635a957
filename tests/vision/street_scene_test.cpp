// The synthetic drive: deterministic by seed, every pixel labelled with a street class
// (or the hood's ignore label), the layout where geometry puts it, bad configs refused.
#include <set>

#include <gtest/gtest.h>

#include "vision/street_scene.hpp"

using namespace troupe::vision;

namespace {

street_config short_drive(uint64_t seed) {
  street_config c;
  c.width = 160;
  c.height = 90;
  c.duration_s = 12;
  c.stretch_min_s = 2;
  c.stretch_max_s = 4;
  c.seed = seed;
  return c;
}

}  // namespace

TEST(StreetScene, TheSameSeedDrawsTheSameDrive) {
  street_scene a(short_drive(7)), b(short_drive(7)), other(short_drive(8));
  EXPECT_EQ(a.frames(), 180u);
  bool differs = false;
  for (int i = 0; i < 30; ++i) {
    auto fa = a.next(), fb = b.next(), fo = other.next();
    ASSERT_EQ(cv::norm(fa.image, fb.image, cv::NORM_INF), 0) << "frame " << i;
    ASSERT_EQ(cv::norm(fa.labels, fb.labels, cv::NORM_INF), 0) << "frame " << i;
    differs = differs || cv::norm(fa.image, fo.image, cv::NORM_INF) > 0;
  }
  EXPECT_TRUE(differs);
}

TEST(StreetScene, EveryPixelHasAStreetClassWhereGeometryPutsIt) {
  std::set<int> types;
  std::set<uint8_t> seen;
  for (uint64_t seed = 1; seed <= 4; ++seed) {
    street_scene s(short_drive(seed));
    while (!s.done()) {
      auto f = s.next();
      types.insert(static_cast<int>(f.type));
      ASSERT_EQ(f.image.size(), f.labels.size());
      ASSERT_EQ(f.image.type(), CV_8UC3);
      for (int y = 0; y < f.labels.rows; ++y)
        for (int x = 0; x < f.labels.cols; ++x) {
          auto l = f.labels.at<uint8_t>(y, x);
          ASSERT_TRUE(l < street_classes || l == street_ignore);
          seen.insert(l);
          if (l == sky)  // the sky is above the horizon (42 % down)
            ASSERT_LT(y, 0.42 * f.labels.rows + 1) << "frame " << f.index;
          if (l == road || l == sidewalk)
            ASSERT_GT(y, 0.42 * f.labels.rows - 1) << "frame " << f.index;
        }
      EXPECT_EQ(f.labels.at<uint8_t>(f.labels.rows - 1, f.labels.cols / 2), street_ignore);  // the hood
    }
  }
  EXPECT_GE(types.size(), 4u);  // the drives pass through most scene types
  for (uint8_t c = 0; c < street_classes; ++c)
    EXPECT_TRUE(seen.count(c)) << street_class_names()[c];
}

TEST(StreetScene, BadConfigsAreRefused) {
  auto c = short_drive(1);
  c.width = 161;
  EXPECT_THROW(street_scene{c}, std::invalid_argument);
  c = short_drive(1);
  c.fps = 0;
  EXPECT_THROW(street_scene{c}, std::invalid_argument);
  c = short_drive(1);
  c.stretch_max_s = 1;
  EXPECT_THROW(street_scene{c}, std::invalid_argument);
  street_scene s(short_drive(1));
  while (!s.done())
    s.next();
  EXPECT_THROW(s.next(), std::logic_error);
}
