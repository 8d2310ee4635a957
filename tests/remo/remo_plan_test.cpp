// From camera reports to a slot problem and back to per-camera plans, and the
// baselines' assignment rules on crafted slots.
#include <gtest/gtest.h>

#include "actors/remo/core/baselines.hpp"
#include "actors/remo/core/plan.hpp"

using namespace troupe::remo;

namespace {

// Camera 1 (fast, accurate) and camera 2 (slow): 3 frames, 2 regions of 0.1 and 0.3 MP.
std::vector<camera_report> two_reports() {
  camera_report fast{0.9, 0.01, 0.05, 0.4, {0.1, 0.3}, 3, {}, 0.95, 0.2, 0};
  camera_report slow{0.6, 0.05, 0.50, 0.4, {0.1, 0.3}, 3, {}, 0.90, 0.8, 0.2};
  fast.demands = {{1, 0, 2.0}, {2, 1, 1.0}, {0, 1, 5.0}, {1, 7, 1.0}};  // the last two are not movable
  slow.demands = {{1, 1, 3.0}, {2, 0, 1.0}, {2, 1, 1.0}};
  return {fast, slow};
}

}  // namespace

TEST(RemoPlan, SlotModelTakesReportsAndLinks) {
  slot_settings s;
  auto m = make_slot_model(two_reports(), s);
  ASSERT_EQ(m.cameras_count(), 2u);
  EXPECT_EQ(m.frames, 3);
  EXPECT_DOUBLE_EQ(m.bandwidth[1][0], 2.0);   // 16 Mbit/s = 2 MB/s
  EXPECT_DOUBLE_EQ(m.bandwidth[1][2], 10.0);  // 80 Mbit/s
  EXPECT_DOUBLE_EQ(m.alpha, 0.2);             // observed by camera 2 only
  EXPECT_DOUBLE_EQ(m.cameras[2].s_per_megapixel, 0.5);
  EXPECT_DOUBLE_EQ(m.cameras[1].drift, 0.95);
}

// Eq. (4)'s B_ij from the shaped interfaces: the sender's uplink against the receiver's
// downlink, whichever is slower; an unshaped pair keeps the paper's setting.
TEST(RemoPlan, PairRatesAreWhatTheInterfacesOfferThisSlot) {
  auto reports = two_reports();
  reports[0].uplink_mbps = 40;    // camera 1 sends at 5 MB/s ...
  reports[0].downlink_mbps = 8;   // ... and receives at 1 MB/s
  slot_settings s;
  s.server_downlink_mbps = 24;    // the server receives at 3 MB/s; its uplink is not shaped
  auto m = make_slot_model(reports, s);
  EXPECT_DOUBLE_EQ(m.bandwidth[1][0], 3.0);   // min(5, 3)
  EXPECT_DOUBLE_EQ(m.bandwidth[0][1], 1.0);   // camera 1's downlink
  EXPECT_DOUBLE_EQ(m.bandwidth[2][0], 3.0);   // camera 2 unshaped: the server's downlink
  EXPECT_DOUBLE_EQ(m.bandwidth[0][2], 2.0);   // neither shaped: server_mbps
  EXPECT_DOUBLE_EQ(m.bandwidth[1][2], 5.0);   // camera 1's uplink
  EXPECT_DOUBLE_EQ(m.bandwidth[2][1], 1.0);   // camera 1's downlink
  reports[0].uplink_mbps = 4;     // a trace dropped camera 1's uplink: the next slot sees it
  EXPECT_DOUBLE_EQ(make_slot_model(reports, s).bandwidth[1][0], 0.5);
}

// The paper decides the current slot; cameras here follow a plan made a slot ahead.
// What that plan does with the demands that came: a demanded cell goes where the plan
// sends its nearest planned frame of that region, by detector name.
TEST(RemoPlan, PlansMadeAheadMeetTheDemandsThatCame) {
  auto reports = two_reports();
  auto m = make_slot_model(reports, {});
  auto [start, movable] = initial_schedule(m, reports);
  std::vector<std::string> detectors = {"", "det-fast", "det-slow"};
  std::vector<named_plan> plans(3);
  plans[2] = {{{1, 1}, "det-fast"}};       // camera 2 planned region 1 of frame 1 for camera 1
  plans[1] = {{{2, 0}, "det-gone"}};       // a detector not in this round: camera 1 keeps it
  auto x = as_planned_ahead(start, movable, plans, detectors);
  EXPECT_EQ(x[2][1][1], 1);                // as planned
  EXPECT_EQ(x[2][2][1], 1);                // frame 2 of region 1: the nearest planned frame (1)
  EXPECT_EQ(x[2][2][0], 2);                // region 0 was not planned: its own camera
  EXPECT_EQ(x[1][1][0], 1);
  EXPECT_EQ(x[1][0], start[1][0]);         // frame 0 stays the server's
  EXPECT_EQ(x[1][1][1], tracked);          // what was not demanded stays tracked
}

TEST(RemoPlan, InitialScheduleSendsFrameZeroToServerAndDemandsLocally) {
  auto reports = two_reports();
  auto m = make_slot_model(reports, {});
  auto [x, movable] = initial_schedule(m, reports);
  EXPECT_EQ(movable.size(), 5u);  // frame 0 and an unknown region are not movable
  EXPECT_EQ(x[1][0], (std::vector<int>{server, server}));
  EXPECT_EQ(x[1][1], (std::vector<int>{1, tracked}));
  EXPECT_EQ(x[2][2], (std::vector<int>{2, 2}));
  EXPECT_TRUE(every_region_detected(m, x));  // constraint (9) through frame 0
}

TEST(RemoPlan, PlanLooksUpTheNearestPlannedFrameOfTheRegion) {
  schedule x = {{}, {{server, server}, {2, tracked}, {tracked, tracked}, {tracked, 2}}};
  auto plan = plan_of(x, 1);
  EXPECT_EQ(plan.size(), 2u);
  EXPECT_EQ(planned_target(plan, 1, 0, 1), 2);  // as planned
  EXPECT_EQ(planned_target(plan, 3, 0, 1), 2);  // region 0 planned in frame 1
  EXPECT_EQ(planned_target(plan, 2, 1, 1), 2);  // region 1 planned in frame 3
  EXPECT_EQ(planned_target(camera_plan{}, 2, 1, 1), 1);  // nothing planned: its own camera
}

TEST(RemoBaselines, ModelPriorSendsEverythingToTheBestModel) {
  auto reports = two_reports();
  auto m = make_slot_model(reports, {});
  auto [x, movable] = initial_schedule(m, reports);
  auto y = model_prior(m, x, movable);
  for (auto& c : movable)
    EXPECT_EQ(y[c.camera][c.frame][c.region], 1);
  EXPECT_EQ(camera_load(m, y, 2), 0);
}

TEST(RemoBaselines, BandwidthPriorUnloadsTheSlowCameraUntilBelowTheMean) {
  auto reports = two_reports();
  auto m = make_slot_model(reports, {});
  auto [x, movable] = initial_schedule(m, reports);
  // Camera 2 detects 0.3 + 0.1 + 0.3 MP: 3 × 0.05 + 0.7 × 0.5 = 0.5 s,
  // camera 1: 2 × 0.01 + 0.4 × 0.05 = 0.04 s; the mean is 0.27 s.
  auto y = bandwidth_prior(m, x, movable);
  EXPECT_EQ(y[2][1][1], 1);  // 0.3 MP moves: 0.3 s left, still above the mean ...
  EXPECT_EQ(y[2][2][1], 1);  // ... another 0.3 MP: 0.1 s ...
  EXPECT_EQ(y[2][2][0], 2);  // ... and the 0.1 MP region stays
  EXPECT_EQ(y[1][1][0], 1);  // ... and the fast camera keeps its own
}

TEST(RemoBaselines, LatencyProportionalFollowsInverseLatency) {
  auto reports = two_reports();
  auto m = make_slot_model(reports, {});
  auto [x, movable] = initial_schedule(m, reports);
  // Camera 1 was 4× faster: largest first, to the camera furthest below its share,
  // it ends with 0.8 of the 1.1 MP (0.3 to camera 1, 0.3 to 2, then 0.3, 0.1, 0.1 to 1).
  auto y = latency_proportional(m, x, movable, {0, 0.2, 0.8});
  EXPECT_NEAR(camera_load(m, y, 1), 0.8, 1e-9);
  EXPECT_NEAR(camera_load(m, y, 2), 0.3, 1e-9);
}
