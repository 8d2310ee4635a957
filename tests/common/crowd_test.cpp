// The synthetic crowd: the same objects for every camera however it is asked, entries
// at their Poisson rate (Little's law), bursts, walks along edges, and its file's errors.
#include <gtest/gtest.h>

#include "actors/common/crowd_file.hpp"

using namespace troupe;

namespace {

std::shared_ptr<const crowd_config> two_rooms() {
  crowd_config c;
  c.seed = 5;
  c.cameras = {"door", "hall"};
  c.entry_rate = {0.5, 0};
  c.edges = {{0, 1}};
  c.dwell_min_s = c.dwell_max_s = 5;
  c.lag_min_s = c.lag_max_s = 10;
  c.exit_probability = 0;
  c.max_views = 2;  // door, then hall, then out
  return std::make_shared<const crowd_config>(c);
}

}  // namespace

TEST(Crowd, EveryCameraSeesTheSameObjectsHoweverOftenItLooks) {
  crowd_view often(two_rooms(), 0), seldom(two_rooms(), 0);
  for (int tenth = 0; tenth <= 3000; ++tenth) {
    auto n = often.in_view(tenth / 10.0);
    if (tenth % 50 == 0) {
      EXPECT_EQ(seldom.in_view(tenth / 10.0), n) << "at " << tenth / 10.0 << " s";
    }
  }
}

TEST(Crowd, AnObjectWalksFromViewToViewAfterItsLag) {
  crowd_view door(two_rooms(), 0), hall(two_rooms(), 1);
  uint32_t seen = 0;
  for (int t = 0; t <= 600; ++t) {
    // in the hall 5 s (dwell) + 10 s (lag) after the door, for as long
    EXPECT_EQ(hall.in_view(t + 15.5), door.in_view(t + 0.5)) << "at " << t << " s";
    seen += door.in_view(t + 0.5);
  }
  EXPECT_GT(seen, 0u);
}

// Little's law: objects in view = entry rate × mean dwell (0.5/s × 12.5 s).
TEST(Crowd, HoldsAsManyObjectsAsItsEntryRateTimesTheDwell) {
  crowd_config c;
  c.cameras = {"door"};
  c.entry_rate = {0.5};
  c.exit_probability = 1;
  crowd_view door(std::make_shared<const crowd_config>(c), 0);
  double sum = 0;
  int samples = 0;
  for (double t = 100; t < 20100; t += 1, ++samples)
    sum += door.in_view(t);
  EXPECT_NEAR(sum / samples, 6.25, 0.4);
}

TEST(Crowd, EntriesRunFasterDuringBursts) {
  crowd_config c;
  c.cameras = {"door"};
  c.entry_rate = {0.4};
  c.burst_every_s = 120;
  c.burst_length_s = 30;
  c.burst_factor = 3;
  EXPECT_DOUBLE_EQ(c.entry_rate_at(0, 10), 1.2);
  EXPECT_DOUBLE_EQ(c.entry_rate_at(0, 130), 1.2);
  EXPECT_DOUBLE_EQ(c.entry_rate_at(0, 40), 0.4);
  c.dwell_min_s = c.dwell_max_s = 1;
  c.exit_probability = 1;
  crowd_view door(std::make_shared<const crowd_config>(c), 0);
  double in_burst = 0, outside = 0;
  for (double t = 0; t < 12000; t += 0.5)
    (std::fmod(t, 120) >= 1 && std::fmod(t, 120) < 30 ? in_burst : outside) += door.in_view(t);
  // 29 of 120 s in a burst at 3× the rate: 3 × 29 / 91 of what the rest gets
  EXPECT_NEAR(in_burst / outside, 3.0 * 29 / 91, 0.12);
}

TEST(Crowd, WithoutEntrancesNobodyComes) {
  crowd_config c;
  c.cameras = {"a"};
  c.entry_rate = {0};
  crowd_view a(std::make_shared<const crowd_config>(c), 0);
  EXPECT_EQ(a.in_view(1000), 0u);
}

TEST(CrowdFile, ReadsCamerasEdgesAndBursts) {
  auto r = parse_crowd(R"(seed: 3
cameras:
  - {name: yard-1, entry_rate: 0.3}
  - {name: lobby}
edges: [[yard-1, lobby]]
dwell_s: [4, 8]
lag_s: [1, 2]
exit_probability: 0.5
bursts: {every_s: 90, length_s: 20, factor: 4}
start_s: 60
)", "c.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front().to_string();
  EXPECT_EQ(r.crowd.seed, 3u);
  EXPECT_EQ(r.crowd.cameras, (std::vector<std::string>{"yard-1", "lobby"}));
  EXPECT_EQ(r.crowd.entry_rate, (std::vector<double>{0.3, 0}));
  ASSERT_EQ(r.crowd.edges.size(), 1u);
  EXPECT_EQ(r.crowd.edges[0], (std::pair<size_t, size_t>{0, 1}));
  EXPECT_DOUBLE_EQ(r.crowd.dwell_max_s, 8);
  EXPECT_DOUBLE_EQ(r.crowd.lag_min_s, 1);
  EXPECT_DOUBLE_EQ(r.crowd.burst_factor, 4);
  EXPECT_DOUBLE_EQ(r.crowd.start_s, 60);
}

TEST(CrowdFile, NamesEveryProblemWithItsPlace) {
  auto r = parse_crowd(R"(cameras:
  - {name: a}
  - {name: a}
edges: [[a, b], [a]]
dwell_s: [9, 3]
exit_probability: 2
)", "bad.yaml");
  std::vector<std::string> got;
  std::string all;
  for (auto& e : r.errors) {
    got.push_back(e.to_string());
    all += got.back() + "\n";
  }
  ASSERT_EQ(got.size(), 5u) << all;
  EXPECT_EQ(got[0], "bad.yaml:3:5: camera 'a' is listed twice");
  EXPECT_EQ(got[1], "bad.yaml:4:13: edge names camera 'b', which the crowd file does not list");
  EXPECT_EQ(got[2], "bad.yaml:4:17: an edge is [camera, camera]");
  EXPECT_EQ(got[3], "bad.yaml:5:10: dwell_s must be [min, max] seconds with 0 <= min <= max");
  EXPECT_EQ(got[4], "bad.yaml:6:19: exit_probability must be within [0, 1]");
}

