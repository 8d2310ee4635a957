// Trackers carry boxes forward: started from the ground truth of one synthetic frame,
// they must still overlap the truth some frames later.
#include <gtest/gtest.h>

#include "vision/box_tracker.hpp"
#include "vision/metrics.hpp"
#include "vision/synthetic_scene.hpp"

using namespace troupe::vision;

namespace {

// People walking across a small floor, already in view.
synthetic_scene walking_scene() {
  scene_config c;
  c.width = 320;
  c.height = 240;
  c.seed = 9;
  c.schedule = {{0, 1.0}};
  synthetic_scene scene(c);
  for (int i = 0; i < 30; ++i)
    scene.next();
  return scene;
}

// F1 of the tracked boxes against the truth, `gap` frames after each restart.
double tracked_f1(const std::string& kind, int gap) {
  auto scene = walking_scene();
  auto tracker = make_tracker(kind);
  match_counts total;
  for (int round = 0; round < 8; ++round) {
    auto start = scene.next();
    tracker->reset(start.image, start.truth);
    synthetic_frame f;
    std::vector<detection> tracked;
    for (int k = 0; k < gap; ++k) {
      f = scene.next();
      tracked = tracker->update(f.image);
    }
    total += match_frame(tracked, f.truth);
  }
  std::printf("%s tracker, %d frames after detection: F1 %.2f (tp %zu fp %zu fn %zu)\n", kind.c_str(), gap,
              total.f1(), total.true_positives, total.false_positives, total.false_negatives);
  return total.f1();
}

}  // namespace

TEST(BoxTracker, FlowFollowsMovingPeople) {
  EXPECT_GT(tracked_f1("flow", 5), 0.7);
}

TEST(BoxTracker, KcfFollowsMovingPeople) {
  EXPECT_GT(tracked_f1("kcf", 5), 0.65);
}

TEST(BoxTracker, CsrtFollowsMovingPeople) {
  EXPECT_GT(tracked_f1("csrt", 5), 0.65);
}

TEST(BoxTracker, StandingStillIsWorseThanTracking) {
  // A "tracker" that keeps the boxes where they were: the baseline tracking must beat.
  auto scene = walking_scene();
  match_counts still;
  for (int round = 0; round < 8; ++round) {
    auto start = scene.next();
    synthetic_frame f;
    for (int k = 0; k < 5; ++k)
      f = scene.next();
    still += match_frame(start.truth, f.truth);
  }
  EXPECT_LT(still.f1(), tracked_f1("flow", 5));
}

TEST(BoxTracker, UnknownKind) {
  EXPECT_THROW(make_tracker("magic"), std::runtime_error);
}
