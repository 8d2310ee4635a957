// Detectors on real and synthetic video.
#include <gtest/gtest.h>

#include "vision/detector.hpp"
#include "vision/metrics.hpp"
#include "vision/synthetic_scene.hpp"
#include "vision/video_source.hpp"

using namespace troupe::vision;

namespace {

cv::Mat vtest_frame(int index) {
  video_source source({"/usr/share/doc/opencv-doc/examples/data/vtest.avi", {}, index, false});
  return *source.next();
}

}  // namespace

TEST(Detectors, HogFindsPedestriansInVtest) {
  auto hog = make_detector("hog");
  EXPECT_EQ(hog->model(), "hog");
  EXPECT_FALSE(hog->per_camera());
  auto found = hog->detect(vtest_frame(100));
  EXPECT_GE(found.size(), 2u);  // the frame shows several walkers
  for (auto& d : found)
    EXPECT_GT(d.box.area(), 0);
  // Smaller than HOG's 64×128 window: nothing fits, and nothing crashes.
  EXPECT_TRUE(hog->detect(cv::Mat(96, 96, CV_8UC3, cv::Scalar::all(0))).empty());
}

TEST(Detectors, Mog2FindsMovingPeopleOfASyntheticScene) {
  scene_config c;
  c.width = 320;
  c.height = 240;
  c.seed = 4;
  c.schedule = {{0, 1.0}};
  synthetic_scene scene(c);
  auto mog2 = make_detector("mog2");
  EXPECT_TRUE(mog2->per_camera());
  match_counts total;
  for (int i = 0; i < 150; ++i) {
    auto f = scene.next();
    auto found = mog2->detect(f.image);
    if (i >= 50)  // after the background model has settled
      total += match_frame(found, f.truth);
  }
  std::printf("mog2 on the synthetic scene: precision %.2f recall %.2f F1 %.2f\n", total.precision(),
              total.recall(), total.f1());
  EXPECT_GT(total.true_positives, 30u);
  EXPECT_GT(total.f1(), 0.6);
}

TEST(Detectors, HaarCascadesLoadFromOpencvData) {
  auto body = make_detector("haar-fullbody");
  EXPECT_EQ(body->model(), "haar-fullbody");
  for (auto& d : body->detect(vtest_frame(100))) {
    EXPECT_GT(d.score, 0);
    EXPECT_LT(d.score, 1);
  }
}

TEST(Detectors, BadModelsGiveClearErrors) {
  try {
    make_detector("yolo-from-nowhere");
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model 'yolo-from-nowhere' (known: hog, mog2"), std::string::npos);
  }
  detector_options o;
  o.cascade_dir = "/nonexistent";
  try {
    make_detector("haar-face", o);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/haarcascade_frontalface_default.xml is missing"),
              std::string::npos) << e.what();
  }
}
