#include <map>

#include <gtest/gtest.h>

#include "vision/metrics.hpp"
#include "vision/object_class.hpp"
#include "vision/synthetic_scene.hpp"

using namespace troupe::vision;

namespace {

scene_config config(uint64_t seed) {
  scene_config c;
  c.seed = seed;
  c.width = 320;
  c.height = 240;
  c.fps = 10;
  c.schedule = {{0, 2.0}};
  return c;
}

}  // namespace

TEST(SyntheticScene, SameSeedSameFramesAndTruth) {
  synthetic_scene a(config(7)), b(config(7));
  for (int i = 0; i < 60; ++i) {
    auto fa = a.next(), fb = b.next();
    ASSERT_EQ(fa.truth.size(), fb.truth.size()) << "frame " << i;
    for (size_t k = 0; k < fa.truth.size(); ++k)
      EXPECT_EQ(fa.truth[k].box, fb.truth[k].box);
    EXPECT_EQ(cv::norm(fa.image, fb.image, cv::NORM_INF), 0.0) << "frame " << i;
  }
}

TEST(SyntheticScene, DifferentSeedsDiffer) {
  synthetic_scene a(config(1)), b(config(2));
  double difference = 0;
  for (int i = 0; i < 30; ++i)
    difference += cv::norm(a.next().image, b.next().image, cv::NORM_L1);
  EXPECT_GT(difference, 0);
}

TEST(SyntheticScene, TruthLiesInTheFrameAndObjectsMove) {
  synthetic_scene s(config(3));
  cv::Rect2f view(0, 0, 320, 240);
  size_t seen = 0;
  std::vector<detection> previous;
  double moved = 0;
  for (int i = 0; i < 100; ++i) {
    auto f = s.next();
    EXPECT_DOUBLE_EQ(f.time_s, i / 10.0);
    for (auto& t : f.truth) {
      EXPECT_NEAR((t.box & view).area(), t.box.area(), 1e-3 * t.box.area());
      EXPECT_EQ(t.label, 0);
    }
    // Objects of consecutive frames overlap their previous selves but are not still.
    for (auto& t : f.truth)
      for (auto& p : previous)
        if (iou(t.box, p.box) > 0.3 && iou(t.box, p.box) < 1.0)
          moved += 1;
    seen += f.truth.size();
    previous = f.truth;
  }
  EXPECT_GT(seen, 50u);
  EXPECT_GT(moved, 20);
}

TEST(SyntheticScene, DensityFollowsTheSchedule) {
  auto c = config(11);
  c.schedule = {{0, 0.0}, {10, 5.0}, {20, 0.0}};  // quiet, burst, quiet
  synthetic_scene s(c);
  double quiet = 0, burst = 0, after = 0;
  for (int i = 0; i < 400; ++i) {
    auto f = s.next();
    if (f.time_s < 10)
      quiet += f.truth.size();
    else if (f.time_s < 20)
      burst += f.truth.size();
    else if (f.time_s >= 30)
      after += f.truth.size();  // everyone has left 10 s after the burst
  }
  EXPECT_EQ(quiet, 0);
  EXPECT_GT(burst, 100);
  EXPECT_EQ(after, 0);
}

// The sensor noise is drawn once per size and strength and windowed per frame: each
// frame's still has the configured strength around zero, and is not the last frame's.
TEST(SyntheticScene, SensorNoiseHasItsStrengthAndChangesEveryFrame) {
  auto noisy = config(5);
  noisy.schedule = {{0, 0}};  // the ground alone: a noiseless scene draws no noise offsets
  auto clean = noisy;
  noisy.sensor_noise = 3;
  clean.sensor_noise = 0;
  synthetic_scene a(noisy), b(clean);
  cv::Mat last;
  for (int i = 0; i < 5; ++i) {
    cv::Mat with, without, noise;
    a.next().image.convertTo(with, CV_32FC3);
    b.next().image.convertTo(without, CV_32FC3);
    noise = cv::Mat(with - without).reshape(1);
    cv::Scalar mean, sd;
    cv::meanStdDev(noise, mean, sd);
    EXPECT_NEAR(mean[0], 0, 0.1) << "frame " << i;
    EXPECT_NEAR(sd[0], 3, 0.2) << "frame " << i;
    if (!last.empty()) {
      double correlation = noise.dot(last) / (cv::norm(noise) * cv::norm(last));
      EXPECT_LT(std::abs(correlation), 0.05) << "frame " << i << " repeats the last one's noise";
    }
    last = noise.clone();
  }
}

TEST(SyntheticScene, ObjectsAreVisibleWhereTruthSaysSo) {
  auto c = config(5);
  c.sensor_noise = 0;
  synthetic_scene s(c);
  cv::Mat empty = synthetic_scene([&] { auto e = c; e.schedule = {{0, 0}}; return e; }()).next().image;
  int checked = 0;
  for (int i = 0; i < 50; ++i) {
    auto f = s.next();
    for (auto& t : f.truth) {
      cv::Rect r(t.box);
      double changed = cv::norm(f.image(r), empty(r), cv::NORM_L1) / (r.area() * 3.0);
      EXPECT_GT(changed, 1.0) << "frame " << i;  // something is drawn inside every true box
      ++checked;
    }
  }
  EXPECT_GT(checked, 10);
}

TEST(SyntheticScene, BadConfigurationIsRefused) {
  auto c = config(1);
  c.fps = 0;
  EXPECT_THROW(synthetic_scene{c}, std::invalid_argument);
  c = config(1);
  c.schedule.clear();
  EXPECT_THROW(synthetic_scene{c}, std::invalid_argument);
  c = config(1);
  c.class_mix = {0, 0};
  EXPECT_THROW(synthetic_scene{c}, std::invalid_argument);
  c.class_mix = {1, 1, 1, 1};  // a fourth class has no drawing
  EXPECT_THROW(synthetic_scene{c}, std::invalid_argument);
}

// Streets of people, cars and bikes: every class arrives in about its share, each truth
// box carries its class and is tight around what is drawn, and a cars' box is wider
// than tall where a person's is taller than wide.
TEST(SyntheticScene, ClassesArriveInTheirSharesWithTightLabelledBoxes) {
  auto c = config(9);
  c.width = 640;
  c.height = 480;
  c.sensor_noise = 0;
  c.schedule = {{0, 6.0}};
  c.class_mix = {2, 1, 1};  // person, car, bike
  synthetic_scene s(c);
  auto empty_config = c;
  empty_config.schedule = {{0, 0}};
  cv::Mat empty = synthetic_scene(empty_config).next().image;
  std::map<int, int> boxes;
  std::map<int, double> aspect;  // width / height, summed
  for (int i = 0; i < 120; ++i) {
    auto f = s.next();
    for (auto& t : f.truth) {
      cv::Rect r(t.box);
      if (r.x <= 0 || r.y <= 0 || r.br().x >= c.width || r.br().y >= c.height)
        continue;  // clipped by the frame: not its own shape
      ++boxes[t.label];
      aspect[t.label] += t.box.width / t.box.height;
      cv::Rect top(r.x, r.y, r.width, 3), bottom(r.x, r.br().y - 3, r.width, 3);
      for (auto edge : {top, bottom})  // tight: drawn on within the box's first and last 3 rows
        EXPECT_GT(cv::norm(f.image(edge), empty(edge), cv::NORM_L1), 0) << "class " << t.label << " frame " << i;
    }
  }
  ASSERT_GT(boxes[0], 20);
  EXPECT_GT(boxes[1], 5);
  EXPECT_GT(boxes[2], 5);
  EXPECT_LT(aspect[0] / boxes[0], 0.6);  // people stand
  EXPECT_GT(aspect[1] / boxes[1], 1.5);  // cars are long
  EXPECT_GT(aspect[2] / boxes[2], 1.2);  // bikes too, less so
}

TEST(ObjectClass, NamesAndMixes) {
  EXPECT_EQ(class_name(car), "car");
  EXPECT_EQ(class_name(7), "7");
  EXPECT_EQ(class_id("bike"), bike);
  EXPECT_EQ(class_id("2"), 2);
  EXPECT_EQ(class_id("truck"), -1);
  EXPECT_EQ(parse_class_mix("person:2, bike:0.5"), (std::vector<double>{2, 0, 0.5}));
  EXPECT_EQ(parse_class_mix("car"), (std::vector<double>{0, 1}));
  EXPECT_THROW(parse_class_mix("truck:1"), std::invalid_argument);
  EXPECT_THROW(parse_class_mix("car:lots"), std::invalid_argument);
  EXPECT_THROW(parse_class_mix("car:0"), std::invalid_argument);
}

// What a scene's config draws is pinned with the generator's version: detections cached
// for a scene are keyed by its config and that version, so a change to what the same
// config draws must raise synthetic_scene::generator_version (and then these pins).
TEST(SyntheticScene, DrawsArePinnedToTheGeneratorVersion) {
  auto fingerprint = [](scene_config c) {
    synthetic_scene scene(c);
    uint64_t h = 1469598103934665603ull;
    for (int i = 0; i < 100; ++i)
      for (auto& d : scene.next().truth)
        for (long v : {long(d.box.x), long(d.box.y), long(d.box.width), long(d.box.height), long(d.label)})
          h = (h ^ uint64_t(v)) * 1099511628211ull;
    return h;
  };
  auto street = config(5);
  street.class_mix = {2, 1, 1};
  EXPECT_EQ(synthetic_scene::generator_version, 3);
  EXPECT_EQ(fingerprint(config(5)), 6983954609090460172u) << "people only";
  EXPECT_EQ(fingerprint(street), 6476853051261964886u) << "streets";
}
