// The detector replica on a real node: batching, overflow policies, pacing to a
// device profile under real and emulated clocks, overruns, bad profiles.
#include <gtest/gtest.h>

#include <set>

#include "actors/systems.hpp"
#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/params.hpp"
#include "test_support.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/jpeg_codec.hpp"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

const char* profiles = R"(devices:
  - name: slow
    busy_power_w: 10
    idle_power_w: 1
    models:
      - { model: hog, fixed_ms: 150, ms_per_megapixel: 0 }
  - name: slow-two
    busy_power_w: 10
    concurrency: 2
    models:
      - { model: hog, fixed_ms: 150, ms_per_megapixel: 0 }
  - name: instant
    busy_power_w: 10
    models:
      - { model: hog, fixed_ms: 0.001, ms_per_megapixel: 0 }
)";

msg::Region region(const node& n, uint64_t index, int side = 96) {
  msg::Region r;
  r.set_camera("cam");
  r.set_frame_index(index);
  r.set_capture_time_unix_ns(const_cast<node&>(n).make_context("t").now_ns());
  r.set_width(side);
  r.set_height(side);
  r.set_jpeg(vision::encode_jpeg(cv::Mat(side, side, CV_8UC3, cv::Scalar(90, 120, 150)), 80));
  r.set_reply_to("probe");
  return r;
}

std::vector<msg::Detections> collect(caf::scoped_actor& self, size_t n, std::chrono::milliseconds timeout) {
  std::vector<msg::Detections> out;
  while (out.size() < n) {
    auto got = next_letter(self, timeout);
    if (!got)
      break;
    if (auto d = got->as<msg::Detections>())
      out.push_back(*d);
  }
  return out;
}

class ReplicaTest : public ::testing::Test {
 protected:
  void start(double time_scale = 1) {
    auto cfg = config_for("n", server.url());
    cfg.time = make_clock(time_scale, make_real_clock()->now_ns());
    cfg.kinds = &builtin_kinds();
    n = std::make_unique<node>(cfg);
    self = std::make_unique<caf::scoped_actor>(n->system());
    ASSERT_TRUE(n->spawn_function("probe", probe, caf::actor{*self}));
  }
  void spawn_replica(const std::string& yaml) {
    auto spawned = n->spawn("hog", "detector", params::from_yaml(yaml));
    ASSERT_TRUE(spawned) << caf::to_string(spawned.error());
  }
  // Eight regions at once to a slow replica with room for two: which frames got done.
  std::set<uint64_t> frames_done_under(const std::string& policy) {
    spawn_replica("{ queue_capacity: 2, overflow: " + policy + ", device: slow, profile: " + profile_file + " }");
    for (uint64_t i = 0; i < 8; ++i)
      EXPECT_FALSE(n->send("hog", region(*n, i)));
    std::set<uint64_t> frames;
    for (auto& d : collect(*self, 8, 700ms))
      frames.insert(d.frame_index());
    return frames;
  }
  // Four regions at once to two workers on `device`: the device's busy time once all are done.
  double busy_ms_with_two_workers(const std::string& device) {
    EXPECT_FALSE(n->subscribe("replica-stats", caf::actor{*self}));
    spawn_replica("{ workers: 2, queue_capacity: 8, stats_interval_ms: 100, device: " + device + ", profile: " +
                  profile_file + " }");
    for (uint64_t i = 0; i < 4; ++i)
      EXPECT_FALSE(n->send("hog", region(*n, i)));
    auto end = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < end) {
      auto got = next_letter(*self, 1s);
      if (got && got->as<msg::ReplicaStats>() && got->as<msg::ReplicaStats>()->processed() == 4)
        return got->as<msg::ReplicaStats>()->busy_ms();
    }
    ADD_FAILURE() << "the four regions were not all processed";
    return 0;
  }
  std::string profile_file = write_temp("replica_profiles.yaml", profiles);
  nats_server server;
  std::unique_ptr<node> n;
  std::unique_ptr<caf::scoped_actor> self;
};

}  // namespace

TEST_F(ReplicaTest, FullBatchesAreComputedTogether) {
  start();
  spawn_replica("{ max_batch: 4, max_wait_ms: 5000, queue_capacity: 8 }");
  for (uint64_t i = 0; i < 8; ++i)
    ASSERT_FALSE(n->send("hog", region(*n, i)));
  auto got = collect(*self, 8, 10s);
  ASSERT_EQ(got.size(), 8u);
  // A 5 s max wait: only full batches explain a prompt answer.
  for (auto& d : got) {
    EXPECT_EQ(d.batch_size(), 4u);
    EXPECT_EQ(d.replica(), "hog");
    EXPECT_EQ(d.model(), "hog");
    EXPECT_GE(d.total_us(), d.queue_us() + d.compute_us());
  }
}

TEST_F(ReplicaTest, DropNewestKeepsTheFirstRegionsAndCountsTheRest) {
  start();
  auto frames = frames_done_under("drop_newest");
  // The first two always find room. Whether a third does depends on whether the worker
  // took frame 0 before the others arrived (then 1 and 2 queue), or only later (then
  // one later frame, even the last, takes the place it left): the rest are dropped.
  EXPECT_TRUE(frames.count(0));
  EXPECT_TRUE(frames.count(1));
  EXPECT_LE(frames.size(), 3u);
}

TEST_F(ReplicaTest, DropOldestKeepsTheLatestRegions) {
  start();
  auto frames = frames_done_under("drop_oldest");
  EXPECT_TRUE(frames.count(7));
  EXPECT_TRUE(frames.count(6));
  EXPECT_LE(frames.size(), 3u);
}

TEST_F(ReplicaTest, BlockLosesNothing) {
  start();
  spawn_replica("{ queue_capacity: 1, overflow: block, max_age_ms: 60000, device: slow, profile: " +
                profile_file + " }");
  for (uint64_t i = 0; i < 5; ++i)
    ASSERT_FALSE(n->send("hog", region(*n, i)));
  EXPECT_EQ(collect(*self, 5, 5s).size(), 5u);  // the other policies would drop two or more
}

TEST_F(ReplicaTest, StatsCountDropsOverrunsAndEnergy) {
  start();
  ASSERT_FALSE(n->subscribe("replica-stats", caf::actor{*self}));
  spawn_replica("{ queue_capacity: 1, overflow: drop_newest, device: slow, stats_interval_ms: 100, profile: " +
                profile_file + " }");
  for (uint64_t i = 0; i < 6; ++i)
    ASSERT_FALSE(n->send("hog", region(*n, i)));
  std::optional<msg::ReplicaStats> last;
  auto end = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < end) {
    auto got = next_letter(*self, 1s);
    if (got && got->as<msg::ReplicaStats>()) {
      last = *got->as<msg::ReplicaStats>();
      if (last->processed() + last->dropped_full() == 6)
        break;
    }
  }
  ASSERT_TRUE(last);
  EXPECT_EQ(last->processed() + last->dropped_full(), 6u);
  EXPECT_GE(last->dropped_full(), 3u);
  EXPECT_EQ(last->device(), "slow");
  EXPECT_NEAR(last->busy_ms(), 150.0 * last->processed(), 1e-6);
  EXPECT_GT(last->energy_j(), 10 * 0.15 * last->processed());  // busy energy plus some idle
}

TEST_F(ReplicaTest, WorkersShareTheDevicesUnits) {
  start();
  // One unit: the two workers' inputs run one after the other, 4 × 150 ms of device time.
  EXPECT_NEAR(busy_ms_with_two_workers("slow"), 600, 1);
}

TEST_F(ReplicaTest, TwoWorkersOnTwoUnitsComputeAtOnce) {
  start();
  // Two units: the workers' inputs overlap, about 2 × 150 ms of busy device.
  double busy = busy_ms_with_two_workers("slow-two");
  EXPECT_GE(busy, 300);
  EXPECT_LT(busy, 450);
}

TEST_F(ReplicaTest, CompletionIsPacedToTheProfile) {
  start();
  spawn_replica("{ device: slow, profile: " + profile_file + " }");
  auto sent = std::chrono::steady_clock::now();
  ASSERT_FALSE(n->send("hog", region(*n, 0)));
  auto got = collect(*self, 1, 5s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 150ms);
  EXPECT_GE(got[0].compute_us(), 150'000);
}

TEST_F(ReplicaTest, EmulatedClockStretchesPacingButReportsDeploymentTime) {
  start(3);
  spawn_replica("{ device: slow, profile: " + profile_file + " }");
  auto sent = std::chrono::steady_clock::now();
  ASSERT_FALSE(n->send("hog", region(*n, 0)));
  auto got = collect(*self, 1, 5s);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 450ms);  // 150 ms × scale 3
  EXPECT_GE(got[0].compute_us(), 150'000);
  EXPECT_LT(got[0].compute_us(), 450'000);
}

TEST_F(ReplicaTest, RealComputeSlowerThanTheProfileIsAnOverrun) {
  start();
  ASSERT_FALSE(n->subscribe("replica-stats", caf::actor{*self}));
  spawn_replica("{ device: instant, stats_interval_ms: 100, profile: " + profile_file + " }");
  ASSERT_FALSE(n->send("hog", region(*n, 0, 480)));
  bool seen = eventually([&] {
    auto got = next_letter(*self, 200ms);
    return got && got->as<msg::ReplicaStats>() && got->as<msg::ReplicaStats>()->overruns() == 1;
  });
  EXPECT_TRUE(seen);
}

TEST_F(ReplicaTest, BadSettingsNameTheProblem) {
  start();
  auto unknown_model = n->spawn("x1", "detector", params::from_yaml("{ model: haar-face, device: slow, profile: " + profile_file + " }"));
  ASSERT_FALSE(unknown_model);
  EXPECT_NE(caf::to_string(unknown_model.error()).find("no timing for model 'haar-face'"), std::string::npos)
    << caf::to_string(unknown_model.error());
  auto unknown_device = n->spawn("x2", "detector", params::from_yaml("{ device: tpu, profile: " + profile_file + " }"));
  ASSERT_FALSE(unknown_device);
  EXPECT_NE(caf::to_string(unknown_device.error()).find("no device 'tpu'"), std::string::npos);
  auto missing = n->spawn("x3", "detector", params::from_yaml("{ device: slow, profile: /nonexistent.yaml }"));
  ASSERT_FALSE(missing);
  EXPECT_NE(caf::to_string(missing.error()).find("/nonexistent.yaml"), std::string::npos);
  auto policy = n->spawn("x4", "detector", params::from_yaml("{ overflow: drop_random }"));
  ASSERT_FALSE(policy);
  EXPECT_NE(caf::to_string(policy.error()).find("drop_random"), std::string::npos);
}

TEST_F(ReplicaTest, TheDetectionCacheAnswersRepeatedRegionsIdentically) {
  start();
  auto dir = std::string(::testing::TempDir()) + "/replica-cache-" + std::to_string(::getpid());
  ASSERT_FALSE(n->subscribe("replica-stats", caf::actor{*self}));
  auto run = [&](const std::string& name) {
    auto spawned = n->spawn(name, "detector", params::from_yaml("{ stats_interval_ms: 100, cache: " + dir + " }"));
    EXPECT_TRUE(spawned) << caf::to_string(spawned.error());
    for (uint64_t i = 0; i < 3; ++i) {
      auto r = region(*n, i, 200);
      r.mutable_view()->set_source("test-source");
      r.mutable_view()->set_frame(i);
      EXPECT_FALSE(n->send(name, r));
    }
    std::vector<msg::Detections> got;
    std::optional<msg::ReplicaStats> stats;
    eventually([&] {
      auto l = next_letter(*self, 200ms);
      if (l && l->as<msg::Detections>())
        got.push_back(*l->as<msg::Detections>());
      if (l && l->as<msg::ReplicaStats>() && l->as<msg::ReplicaStats>()->replica() == name)
        stats = *l->as<msg::ReplicaStats>();
      return got.size() == 3 && stats && stats->processed() == 3;
    });
    return std::make_pair(got, stats);
  };
  auto [cold, cold_stats] = run("cold");
  auto [warm, warm_stats] = run("warm");
  ASSERT_EQ(cold.size(), 3u);
  ASSERT_EQ(warm.size(), 3u);
  ASSERT_TRUE(cold_stats && warm_stats);
  EXPECT_EQ(cold_stats->cache_misses(), 3u);
  EXPECT_EQ(warm_stats->cache_hits(), 3u);
  EXPECT_EQ(warm_stats->cache_misses(), 0u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_EQ(cold[i].boxes_size(), warm[i].boxes_size());
}
