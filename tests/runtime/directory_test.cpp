#include <gtest/gtest.h>

#include "actors/runtime/bus/directory.hpp"
#include "actors/runtime/bus/silence_horizon.hpp"

using namespace troupe;

namespace {
constexpr int64_t ms = 1000000;
}

TEST(Directory, HelloRegistersActors) {
  directory d("me");
  EXPECT_TRUE(d.hello("edge", 1, {"cam-1", "cam-2"}, 0).empty());
  EXPECT_EQ(d.host_of("cam-1"), std::optional<std::string>("edge"));
  EXPECT_EQ(d.live_nodes(), std::vector<std::string>{"edge"});
  EXPECT_FALSE(d.host_of("cam-9"));
}

TEST(Directory, SilentNodeExpiresAndLosesItsActors) {
  directory d("me");
  d.hello("edge", 1, {"cam-1"}, 0);
  EXPECT_FALSE(d.heartbeat("edge", 1, 1, 400 * ms));
  auto quiet = d.expire(2000 * ms, 2000 * ms, 1000 * ms, "no heartbeat");  // 1600 ms of silence
  EXPECT_TRUE(quiet.suspected.empty());
  EXPECT_TRUE(quiet.down.empty());
  auto suspected = d.expire(2500 * ms, 2000 * ms, 1000 * ms, "no heartbeat");
  EXPECT_EQ(suspected.suspected, std::vector<std::string>{"edge"});
  EXPECT_TRUE(suspected.down.empty());  // not yet: suspicion comes first
  EXPECT_TRUE(d.expire(3400 * ms, 2000 * ms, 1000 * ms, "no heartbeat").down.empty());  // 900 ms suspected
  auto silent = d.expire(3600 * ms, 2000 * ms, 1000 * ms, "no heartbeat");
  ASSERT_EQ(silent.down.size(), 1u);
  EXPECT_EQ(silent.down[0].first, "edge");
  auto& lost = silent.down[0].second;
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].actor, "cam-1");
  EXPECT_EQ(lost[0].reason, "no heartbeat");
  EXPECT_FALSE(d.host_of("cam-1"));
  EXPECT_TRUE(d.node_down("edge", "again").empty());  // told once
  ASSERT_EQ(d.down_nodes().size(), 1u);
  EXPECT_EQ(d.down_nodes()[0].second, "no heartbeat");
}

TEST(Directory, HeardFromWhileSuspectedIsNotDeclaredDown) {
  directory d("me");
  d.hello("edge", 1, {"cam-1"}, 0);
  EXPECT_EQ(d.expire(2500 * ms, 2000 * ms, 1000 * ms, "x").suspected, std::vector<std::string>{"edge"});
  d.hello("edge", 1, {"cam-1"}, 2700 * ms);  // its answer to the probe
  auto after = d.expire(3600 * ms, 2000 * ms, 1000 * ms, "x");
  EXPECT_TRUE(after.down.empty());
  EXPECT_TRUE(after.suspected.empty());
  EXPECT_EQ(d.expire(5000 * ms, 2000 * ms, 1000 * ms, "x").suspected, std::vector<std::string>{"edge"});  // a new silence
}

// A checker that stalled past the whole limit (its own process starved) probes first:
// nobody is declared down without a suspicion of its own length.
TEST(Directory, AStalledCheckerSuspectsBeforeItDeclaresDown) {
  directory d("me");
  d.hello("edge", 1, {"cam-1"}, 0);
  auto late = d.expire(10'000 * ms, 2000 * ms, 1000 * ms, "x");
  EXPECT_EQ(late.suspected, std::vector<std::string>{"edge"});
  EXPECT_TRUE(late.down.empty());
  EXPECT_EQ(d.expire(11'100 * ms, 2000 * ms, 1000 * ms, "x").down.size(), 1u);
}

TEST(Directory, HeartbeatFromUnknownOrRestartedNodeAsksForHello) {
  directory d("me");
  EXPECT_TRUE(d.heartbeat("edge", 1, 1, 0));   // unknown
  d.hello("edge", 1, {"cam-1"}, 0);
  EXPECT_FALSE(d.heartbeat("edge", 1, 1, 0));
  EXPECT_TRUE(d.heartbeat("edge", 2, 1, 0));   // new incarnation
}

TEST(Directory, HeartbeatCountingOtherActorsAsksForHello) {
  directory d("me");
  d.hello("edge", 1, {"cam-1"}, 0);
  EXPECT_FALSE(d.heartbeat("edge", 1, 2, 0));  // its actor_up may be on its way
  EXPECT_TRUE(d.heartbeat("edge", 1, 2, 0));   // still not here: lost
  d.hello("edge", 1, {"cam-1", "cam-2"}, 0);
  EXPECT_FALSE(d.heartbeat("edge", 1, 2, 0));
  EXPECT_FALSE(d.heartbeat("edge", 1, 1, 0));
  d.actor_down("cam-2", "edge", "normal");     // the news came in time
  EXPECT_FALSE(d.heartbeat("edge", 1, 1, 0));
  EXPECT_FALSE(d.heartbeat("edge", 1, 3, 0));
  EXPECT_TRUE(d.heartbeat("edge", 1, 3, 0));
}

TEST(Directory, NewIncarnationLosesOldActors) {
  directory d("me");
  d.hello("edge", 1, {"cam-1", "cam-2"}, 0);
  auto lost = d.hello("edge", 2, {"cam-2"}, 10 * ms);
  ASSERT_EQ(lost.size(), 2u);  // both of the old process are gone, even if a namesake returns
  EXPECT_EQ(d.host_of("cam-2"), std::optional<std::string>("edge"));
  EXPECT_FALSE(d.host_of("cam-1"));
}

TEST(Directory, ActorUpAndDown) {
  directory d("me");
  d.hello("edge", 1, {}, 0);
  d.actor_up("cam-1", "edge", 0);
  EXPECT_EQ(d.host_of("cam-1"), std::optional<std::string>("edge"));
  auto loss = d.actor_down("cam-1", "edge", "normal");
  ASSERT_TRUE(loss);
  EXPECT_EQ(loss->reason, "normal");
  EXPECT_FALSE(d.actor_down("cam-1", "edge", "normal"));
  EXPECT_FALSE(d.host_of("cam-1"));
}

TEST(Directory, ForgiveRestartsTimersAndSelfNeverExpires) {
  directory d("me");
  d.hello("edge", 1, {}, 0);
  d.hello("me", 1, {}, 0);
  d.forgive(5000 * ms);
  auto soon = d.expire(6000 * ms, 2000 * ms, 0, "x");
  EXPECT_TRUE(soon.suspected.empty());
  EXPECT_TRUE(soon.down.empty());
  EXPECT_EQ(d.expire(8000 * ms, 2000 * ms, 0, "x").suspected, std::vector<std::string>{"edge"});
  ASSERT_EQ(d.expire(8001 * ms, 2000 * ms, 0, "x").down.size(), 1u);
  EXPECT_EQ(d.down_nodes()[0].first, "edge");
}

TEST(SilenceHorizon, OurOwnHeartbeatsOnTimeLeaveTheWallClock) {
  // heard back the one sent 300 ms ago, interval 500 ms: the bus is vouched for up to now
  EXPECT_EQ(silence_horizon(10'000 * ms, 9'700 * ms, 500 * ms), 10'000 * ms);
}

TEST(SilenceHorizon, OurOwnHeartbeatsLateHoldItBackAndSpareABusyPeer) {
  // ours last came back for the one sent at 6 s: at 10 s the bus is vouched for up to 6.5 s
  EXPECT_EQ(silence_horizon(10'000 * ms, 6'000 * ms, 500 * ms), 6'500 * ms);
  directory d("self");
  d.hello("edge", 1, {"cam"}, 6'000 * ms);  // edge's last word at 6 s, as late as ours
  auto at_wall = d.expire(10'000 * ms, 2000 * ms, 0, "x");
  EXPECT_EQ(at_wall.suspected, std::vector<std::string>{"edge"});  // measured by the wall clock: suspected
  directory e("self");
  e.hello("edge", 1, {"cam"}, 6'000 * ms);
  auto held = e.expire(silence_horizon(10'000 * ms, 6'000 * ms, 500 * ms), 2000 * ms, 0, "x");
  EXPECT_TRUE(held.suspected.empty());
  EXPECT_TRUE(held.down.empty());
}

TEST(SilenceHorizon, TheHorizonStaysBackByOurWorstRecentDelayThenComesBack) {
  echo_delays d(30'000 * ms);
  d.heard(1'000 * ms, 990 * ms);    // 10 ms
  d.heard(6'000 * ms, 2'000 * ms);  // 4 s late: the path was starved
  d.heard(6'500 * ms, 6'450 * ms);
  EXPECT_EQ(d.recent_max(7'000 * ms), 4'000 * ms);
  // a peer last heard at 2 s is not suspected at 7 s by a 2 s limit: the horizon is 2.95 s
  EXPECT_EQ(silence_horizon(7'000 * ms, 6'450 * ms, 500 * ms, d.recent_max(7'000 * ms)), 2'950 * ms);
  EXPECT_EQ(d.recent_max(36'001 * ms), 50 * ms);  // the spike left the window
  EXPECT_EQ(d.recent_max(37'000 * ms), 0);        // nothing heard lately: no delay known
}
