#include <gtest/gtest.h>

#include "actors/runtime/restart_policy.hpp"

using namespace troupe;
using action = restart_tracker::decision::action;

namespace {
restart_spec spec(restart_spec::policy p, int max_restarts = 3, double period_s = 60) {
  restart_spec s;
  s.when = p;
  s.max_restarts = max_restarts;
  s.period_s = period_s;
  s.backoff_ms = 100;
  s.max_backoff_ms = 350;
  return s;
}
}  // namespace

// OTP: a permanent child is always restarted; the backoff doubles per restart in the period (Ray).
TEST(RestartPolicy, PermanentRestartsWithDoublingBackoffUpToItsCap) {
  restart_tracker t(spec(restart_spec::policy::permanent));
  auto a = t.on_end(true, 0);
  auto b = t.on_end(false, 1);  // a normal end too
  auto c = t.on_end(true, 2);
  EXPECT_EQ(a.what, action::restart);
  EXPECT_EQ(a.delay_ms, 100);
  EXPECT_EQ(b.what, action::restart);
  EXPECT_EQ(b.delay_ms, 200);
  EXPECT_EQ(c.delay_ms, 350);  // 400 capped
  EXPECT_EQ(t.restarts(), 3);
}

// OTP intensity/period: more than max_restarts within period_s and the supervisor gives up.
TEST(RestartPolicy, GivesUpBeyondItsIntensityWithinThePeriod) {
  restart_tracker t(spec(restart_spec::policy::permanent, 2, 10));
  EXPECT_EQ(t.on_end(true, 0).what, action::restart);
  EXPECT_EQ(t.on_end(true, 5).what, action::restart);
  auto third = t.on_end(true, 9);
  EXPECT_EQ(third.what, action::give_up);
  EXPECT_NE(third.why.find("max_restarts 2"), std::string::npos) << third.why;
}

TEST(RestartPolicy, OldRestartsLeaveThePeriodAndTheBackoffResets) {
  restart_tracker t(spec(restart_spec::policy::permanent, 2, 10));
  t.on_end(true, 0);
  t.on_end(true, 5);
  auto later = t.on_end(true, 16);  // the one at 0 (and 5) are more than 10 s ago
  EXPECT_EQ(later.what, action::restart);
  EXPECT_EQ(later.delay_ms, 100);
}

TEST(RestartPolicy, TransientRestartsOnlyAfterAnAbnormalEnd) {
  restart_tracker t(spec(restart_spec::policy::transient));
  EXPECT_EQ(t.on_end(false, 0).what, action::leave);
  EXPECT_EQ(t.on_end(true, 1).what, action::restart);
}

TEST(RestartPolicy, NeverLeavesItEnded) {
  restart_tracker t(spec(restart_spec::policy::never));
  EXPECT_EQ(t.on_end(true, 0).what, action::leave);
  EXPECT_EQ(t.restarts(), 0);
}
