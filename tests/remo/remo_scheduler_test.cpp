// ReMO's system model pinned to hand-computed values (remo.txt eqs. 1-6, 10, 14), and
// the Markov approximation of Algorithm 1 against the exact optimum.
#include <gtest/gtest.h>

#include "actors/remo/core/instances.hpp"

using namespace troupe::remo;

namespace {

// Two cameras, two regions each, two frames per slot; see the numbers in each test.
slot_model two_cameras() {
  slot_model m;
  m.cameras.resize(3);
  m.cameras[1] = {{0.2, 0.3}, 1.0, 0.8, 0.01, 0.1, 0.9};
  m.cameras[2] = {{0.5, 0.5}, 1.0, 0.6, 0.02, 0.2, 0.8};
  m.server_accuracy = 0.9;
  m.bandwidth = {{0, 0, 0}, {2, 0, 10}, {2, 10, 0}};  // MB/s: 16 Mbit/s to the server, 80 between cameras
  m.alpha = 0.5;
  m.frames = 2;
  m.omega = 0.5;
  m.v = 0.7;
  m.t_max = 0.4;
  return m;
}

// Frame 0 to the server; frame 1: camera 1 sends r0 to camera 2 and tracks r1,
// camera 2 detects r0 itself and sends r1 to camera 1.
schedule example() {
  return {{}, {{server, server}, {2, tracked}}, {{server, server}, {2, 1}}};
}

}  // namespace

TEST(RemoModel, AccuracyFollowsEquationsOneAndTwo) {
  auto m = two_cameras();
  // Camera 1: frame 0 all 0.9; frame 1: 0.6 (camera 2's model) and 0.9 × 0.9 tracked → 0.705.
  EXPECT_NEAR(camera_accuracy(m, example(), 1), (0.9 + 0.705) / 2, 1e-12);
  // Camera 2: frame 1: 0.6 (itself) and 0.8 (camera 1's model) → 0.7.
  EXPECT_NEAR(camera_accuracy(m, example(), 2), (0.9 + 0.7) / 2, 1e-12);
  EXPECT_NEAR(system_accuracy(m, example()), 0.80125, 1e-12);
}

TEST(RemoModel, DelaysFollowEquationsThreeToFive) {
  auto m = two_cameras();
  // Camera 1 detects camera 2's r1 (0.5 Mpx): 0.01 + 0.1 × 0.5.
  EXPECT_NEAR(detection_delay(m, example(), 1), 0.06, 1e-12);
  // Camera 2 detects camera 1's r0 (0.02 + 0.2 × 0.2) and its own r0 (0.02 + 0.2 × 0.5).
  EXPECT_NEAR(detection_delay(m, example(), 2), 0.18, 1e-12);
  // First frame 0.5 × 1.0 / 2, sends 0.5 × 0.2 / 10, receives 0.5 × 0.5 / 10.
  EXPECT_NEAR(transmission_delay(m, example(), 1), 0.285, 1e-12);
  EXPECT_NEAR(transmission_delay(m, example(), 2), 0.285, 1e-12);
  EXPECT_NEAR(system_delay(m, example()), 0.465, 1e-12);  // camera 2: 0.18 + 0.285
}

TEST(RemoModel, LoadBalanceQueueAndObjective) {
  auto m = two_cameras();
  EXPECT_NEAR(camera_load(m, example(), 1), 0.5, 1e-12);
  EXPECT_NEAR(camera_load(m, example(), 2), 0.7, 1e-12);
  EXPECT_NEAR(load_balance(m, example()), 0.01, 1e-12);  // eq. (6): variance of 0.5 and 0.7
  EXPECT_NEAR(next_queue(2, 0.465, 0.4), 2.065, 1e-12);  // eq. (10)
  EXPECT_DOUBLE_EQ(next_queue(0.01, 0.1, 0.4), 0);      // never negative
  // Eq. (14): 2 × 0.465 − 0.7 × (0.80125 − 0.5 × 0.01).
  EXPECT_NEAR(objective(m, example(), 2), 0.372625, 1e-12);
  EXPECT_NEAR(fast_objective(m, example(), 2), 0.372625, 1e-12);
}

TEST(RemoModel, DriftFollowsObservedTrackingAgreement) {
  // F1 0.81 after two tracked frames: 0.9 per frame; halfway from 1.0 with β = 0.5.
  EXPECT_NEAR(updated_drift(1.0, 0.81, 2, 0.5), 0.95, 1e-12);
  EXPECT_NEAR(updated_drift(0.9, 0.5, 1, 1.0), 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(updated_drift(0.9, 0.1, 0, 0.5), 0.9);  // nothing tracked, nothing learned
}

TEST(RemoModel, EveryRegionDetectedIsConstraintNine) {
  auto m = two_cameras();
  EXPECT_TRUE(every_region_detected(m, example()));
  auto x = example();
  x[1][0][1] = tracked;  // camera 1's r1 is now never detected this slot
  EXPECT_FALSE(every_region_detected(m, x));
}

TEST(RemoScheduler, AcceptanceIsTheLogisticOfTheChange) {
  EXPECT_DOUBLE_EQ(acceptance(1, 1, 0.1), 0.5);
  EXPECT_NEAR(acceptance(0.1, 0, 0.1), 1 / (1 + std::exp(1.0)), 1e-12);  // worse: taken sometimes
  EXPECT_NEAR(acceptance(0, 0.1, 0.1), 1 / (1 + std::exp(-1.0)), 1e-12);  // better: usually
  EXPECT_LT(acceptance(1, 0, 0.01), 1e-40);
}

TEST(RemoScheduler, FastObjectiveEqualsTheEquations) {
  std::mt19937_64 rng(5);
  for (int k = 0; k < 20; ++k) {
    auto m = random_slot_model(4, 3, 5, rng);
    auto [x, movable] = random_slot(m, 3, rng);
    for (auto& c : movable)
      x[c.camera][c.frame][c.region] = 1 + int(rng() % 4);
    EXPECT_NEAR(fast_objective(m, x, 1.5), objective(m, x, 1.5), 1e-9);
  }
}

TEST(RemoScheduler, MarkovChainComesCloseToTheExactOptimum) {
  std::mt19937_64 rng(7);
  markov_settings s;
  double gap_sum = 0;
  int instances = 0, worse_taken = 0;
  for (int k = 0; k < 30; ++k) {
    auto m = random_slot_model(3, 2, 3, rng);
    auto [x, movable] = random_slot(m, 3, rng);
    if (movable.empty() || movable.size() > 7)
      continue;
    auto exact = exact_schedule(m, x, movable, 1.0);
    auto found = markov_schedule(m, x, movable, 1.0, s, rng);
    EXPECT_GE(found.g, exact.g - 1e-12);  // nothing beats the optimum
    EXPECT_LE(found.g, fast_objective(m, x, 1.0) + 1e-12);  // never worse than the start
    EXPECT_TRUE(every_region_detected(m, found.x));
    for (auto& c : movable)  // moves go to cameras, never to tracking
      EXPECT_GE(found.x[c.camera][c.frame][c.region], 1);
    gap_sum += (found.g - exact.g) / std::abs(exact.g);
    worse_taken += found.worse_accepted;
    ++instances;
  }
  ASSERT_GT(instances, 10);
  std::printf("mean relative gap to the optimum over %d instances: %.4f\n", instances, gap_sum / instances);
  EXPECT_LT(gap_sum / instances, 0.05);
  EXPECT_GT(worse_taken, 0);  // a real Markov chain: it also walks uphill
}
