#include <gtest/gtest.h>

#include <thread>

#include "actors/runtime/emulation/clock.hpp"

using namespace troupe;
using namespace std::chrono_literals;

TEST(Clock, RealClockIsUnixTimeAndDelaysAreWall) {
  real_clock c;
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(static_cast<double>(c.now_ns()), static_cast<double>(now), 1e9);
  EXPECT_EQ(c.to_wall(250ms), caf::timespan(250ms));
}

TEST(Clock, EmulatedClockRunsSlowerByItsScale) {
  using steady = std::chrono::system_clock;  // the emulated clock follows unix time
  auto ns = [](steady::duration d) { return std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(); };
  emulated_clock c(4.0, ns(steady::now().time_since_epoch()));
  EXPECT_EQ(c.to_wall(250ms), caf::timespan(1000ms));
  // Each emulated reading is bracketed by wall readings, so the bounds hold under any load.
  auto w0a = steady::now();
  auto t0 = c.now_ns();
  auto w0b = steady::now();
  std::this_thread::sleep_for(50ms);
  auto w1a = steady::now();
  auto t1 = c.now_ns();
  auto w1b = steady::now();
  double emulated_as_wall = 4.0 * static_cast<double>(t1 - t0);
  EXPECT_GE(emulated_as_wall, static_cast<double>(ns(w1a - w0b)) - 8);  // 8 ns: rounding
  EXPECT_LE(emulated_as_wall, static_cast<double>(ns(w1b - w0a)) + 8);
  EXPECT_THROW(emulated_clock(0, 0), std::invalid_argument);
}

TEST(Clock, EmulatedClocksOfOneDeploymentAgree) {
  int64_t epoch = real_clock().now_ns() - 8'000'000'000;  // started 8 s ago
  emulated_clock a(2.0, epoch), b(2.0, epoch);
  EXPECT_NEAR(static_cast<double>(a.now_ns() - epoch), 4e9, 0.1e9);  // 8 wall s = 4 emulated s
  EXPECT_NEAR(static_cast<double>(a.now_ns()), static_cast<double>(b.now_ns()), 1e6);
  EXPECT_NE(dynamic_cast<real_clock*>(make_clock(1.0, epoch).get()), nullptr);
  EXPECT_NE(dynamic_cast<emulated_clock*>(make_clock(3.0, epoch).get()), nullptr);
}
