// VideoJam's Dispatcher (eqs. 3.1–3.4, Algorithm 1), state table and message rules on
// hand-computed tables.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "actors/videojam/core/baselines.hpp"
#include "actors/videojam/core/dispatcher.hpp"
#include "actors/videojam/core/spreader.hpp"
#include "actors/videojam/core/table.hpp"

using namespace troupe::videojam;

TEST(VideoJamDispatcher, QueueEstimateFollowsEq31) {
  EXPECT_DOUBLE_EQ(next_queue(5, {3, 4, 2}, 2, -1), 7);  // 5 + (1 + 2 + 0) − 1
  EXPECT_DOUBLE_EQ(next_queue(0, {0, 0}, 3, 0), 0);      // spare rate does not make a negative queue
  EXPECT_DOUBLE_EQ(next_queue(1, {4}, 1, 2), 6);         // received offload adds
}

TEST(VideoJamDispatcher, GlobalBalancedAndUnbalancedLoads) {
  EXPECT_DOUBLE_EQ(global_load(7, {1, 2}), 10);  // eq. 3.2
  auto balanced = balanced_load({40, 0}, {10, 30});  // eq. 3.3: in proportion to μ
  EXPECT_DOUBLE_EQ(balanced[0], 10);
  EXPECT_DOUBLE_EQ(balanced[1], 30);
  auto theta = unbalanced_load(balanced, {40, 0});  // eq. 3.4
  EXPECT_DOUBLE_EQ(theta[0], -30);
  EXPECT_DOUBLE_EQ(theta[1], 30);
}

TEST(VideoJamDispatcher, Algorithm1TakesBothBranches) {
  // θ = {−5, −3, 2, 6}: 0 sends 5 to 3 (fits), 1 sends 2 to 2 (fills it), then 1 to 3.
  auto t = offload_policy({-5, -3, 2, 6});
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].from, 0u);
  EXPECT_EQ(t[0].to, 3u);
  EXPECT_DOUBLE_EQ(t[0].items, 5);
  EXPECT_EQ(t[1].from, 1u);
  EXPECT_EQ(t[1].to, 2u);
  EXPECT_DOUBLE_EQ(t[1].items, 2);
  EXPECT_EQ(t[2].from, 1u);
  EXPECT_EQ(t[2].to, 3u);
  EXPECT_DOUBLE_EQ(t[2].items, 1);
  for (auto& a : t)  // only the difference moves: no replica both sends and receives
    for (auto& b : t)
      EXPECT_NE(a.from, b.to);
}

TEST(VideoJamDispatcher, SendsNothingWhenBalancedOrIdle) {
  EXPECT_TRUE(offload_policy(unbalanced_load(balanced_load({10, 30}, {1, 3}), {10, 30})).empty());
  EXPECT_TRUE(offload_policy({0, 0, 0}).empty());
  EXPECT_TRUE(offload_policy({-4, -1}).empty());  // everyone overloaded: nobody to send to
  auto d = dispatcher({{"a", 2, 0, {}, 0, {0, 0}, true}, {"b", 2, 0, {0, 0}, 0, {0, 0}, false}});
  EXPECT_TRUE(d.transfers.empty());
}

TEST(VideoJamDispatcher, OwnQueueMeasuredNeighbourEstimated) {
  // Own: 12 waiting, 2+2 expected, μ 2. Neighbour: empty, took 1+1 against μ 3, 1+1 expected.
  auto d = dispatcher({{"a", 2, 12, {9, 9}, 0, {2, 2}, true}, {"b", 3, 0, {1, 1}, 0, {1, 1}, false}});
  EXPECT_DOUBLE_EQ(d.queue[0], 12);  // measured, not re-estimated
  EXPECT_DOUBLE_EQ(d.queue[1], 0);
  EXPECT_DOUBLE_EQ(d.global[0], 16);
  EXPECT_DOUBLE_EQ(d.global[1], 2);
  EXPECT_NEAR(d.balanced[0], 7.2, 1e-9);  // 2 · 18 / 5
  EXPECT_NEAR(outgoing(d, 0)[1], 8.8, 1e-9);
  EXPECT_NEAR(expected_from(d, 0, 1), 8.8, 1e-9);
  EXPECT_DOUBLE_EQ(outgoing(d, 1)[0], 0);
}

TEST(VideoJamTable, MergeKeepsNewerRowsAndNeverTheOwn) {
  state_table t("a");
  EXPECT_TRUE(t.update_from_owner({"b", 3, {1}, 0, 0, 100}));
  EXPECT_EQ(t.merge({{"a", 9, {}, 0, 0, 999}, {"b", 4, {}, 0, 0, 50}, {"c", 5, {}, 0, 0, 10}}), 1u);
  EXPECT_EQ(t.own().mu, 0);            // own row untouched
  EXPECT_EQ(t.find("b")->mu, 3);       // older row ignored
  EXPECT_EQ(t.find("c")->mu, 5);       // unknown neighbour learnt
  EXPECT_EQ(t.merge({{"b", 6, {}, 0, 0, 150}}), 1u);
  EXPECT_EQ(t.find("b")->mu, 6);
}

TEST(VideoJamTable, StaleRowsAreThoseOlderThanTheRefreshAge) {
  state_table t("a");
  t.update_from_owner({"b", 1, {}, 0, 0, 1000});
  t.update_from_owner({"c", 1, {}, 0, 0, 5000});
  auto stale = t.stale(6000, 2000);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_EQ(stale[0], "b");
  EXPECT_TRUE(t.stale(6000, 10000).empty());
}

TEST(VideoJamTable, LostNeighbourIsExcludedUntilItSpeaksItself) {
  state_table t("a");
  t.update_from_owner({"b", 1, {}, 0, 0, 10});
  t.exclude("b");
  EXPECT_EQ(t.find("b"), nullptr);
  EXPECT_TRUE(t.excluded("b"));
  EXPECT_EQ(t.merge({{"b", 1, {}, 0, 0, 20}}), 0u);  // a third party's old news does not bring it back
  EXPECT_EQ(t.find("b"), nullptr);
  EXPECT_TRUE(t.update_from_owner({"b", 2, {}, 0, 0, 30}));  // its own state update does
  EXPECT_FALSE(t.excluded("b"));
  EXPECT_EQ(t.find("b")->mu, 2);
}

TEST(VideoJamTable, ViewsTakeTheLastWindowAndTheMeasuredOwnQueue) {
  state_table t("a");
  t.own().history = {1, 2, 3, 4};
  t.own().queue = 99;
  t.update_from_owner({"b", 1, {5, 6, 7}, 3, -1, 10});
  auto v = views(t, 2, {{1, 1}, {2, 2}}, 4);
  EXPECT_EQ(v[0].queue, 4);
  EXPECT_EQ(v[0].window_arrivals, (std::vector<double>{3, 4}));
  EXPECT_TRUE(v[0].own);
  EXPECT_EQ(v[1].queue, 3);
  EXPECT_EQ(v[1].window_arrivals, (std::vector<double>{6, 7}));
  EXPECT_EQ(v[1].exchanged, -1);
}

TEST(VideoJamRules, CongestionRiskOnlyWhenOffloadingAndNotExpected) {
  EXPECT_TRUE(signals_congestion_risk(true, 0));
  EXPECT_FALSE(signals_congestion_risk(true, 3));   // the recomputed policy expects it
  EXPECT_FALSE(signals_congestion_risk(false, 0));  // not offloading: takes it
}

TEST(VideoJamRules, PredictionErrorAboveThreshold) {
  EXPECT_TRUE(prediction_error(5, 2, 0.5));     // 3 more than expected > 0.5 · 2
  EXPECT_FALSE(prediction_error(2.4, 2, 0.5));  // 0.4 < 1 (at least one item's worth)
  EXPECT_TRUE(prediction_error(2, 0, 0.5));     // unexpected load
  EXPECT_FALSE(prediction_error(1, 4, 0.5));    // less than expected so far: the window is not over
}

TEST(VideoJamBaselines, DistreamEdgeShareIsItsPartOfTheCompute) {
  EXPECT_DOUBLE_EQ(distream_edge_share(30, {10, 20}), 0.5);
  EXPECT_DOUBLE_EQ(distream_edge_share(0, {0}), 0.0);
}

// What is owed beyond the queue leaves spread over the window's arrivals, not in a burst.
TEST(OffloadSpreader, SpreadsWhatIsOwedOverTheWindowsArrivals) {
  offload_spreader s;
  s.begin_window({{"b", 5}}, 10);  // a share of 0.5: every second arrival
  std::string picks;
  for (int i = 0; i < 10; ++i)
    picks += s.pick().empty() ? '.' : 'b';
  EXPECT_EQ(picks, ".b.b.b.b.b");
  EXPECT_FALSE(s.owes());
  EXPECT_EQ(s.pick(), "");  // paid: the rest stays
}

TEST(OffloadSpreader, ShareIsAtMostEveryArrivalAndFewArrivalsCountAsOne) {
  offload_spreader s;
  s.begin_window({{"b", 20}}, 10);
  int sent = 0;
  for (int i = 0; i < 10; ++i)
    sent += s.pick() == "b";
  EXPECT_EQ(sent, 10);
  EXPECT_TRUE(s.owes());  // more was owed than arrived
  s.begin_window({{"c", 2}}, 0);  // no arrivals forecast: share 1, as for one
  EXPECT_EQ(s.pick(), "c");
  EXPECT_EQ(s.pick(), "c");
  EXPECT_EQ(s.pick(), "");
}

TEST(OffloadSpreader, EveryReceiverGetsItsDueWhenTheForecastHolds) {
  // The two cases that under-delivered when an arrival one receiver took earned the
  // others nothing: two owed 10 over 40 arrivals got 10 and 7; three owed 10 over 30, 24.
  auto deliver = [](std::map<std::string, double> owed, int arrivals) {
    offload_spreader s;
    s.begin_window(owed, arrivals);
    std::map<std::string, int> got;
    for (int i = 0; i < arrivals; ++i)
      ++got[s.pick()];
    EXPECT_FALSE(s.owes());
    return got;
  };
  auto two = deliver({{"b", 10}, {"c", 10}}, 40);
  EXPECT_EQ(two["b"], 10);
  EXPECT_EQ(two["c"], 10);
  EXPECT_EQ(two[""], 20);
  auto three = deliver({{"b", 10}, {"c", 10}, {"d", 10}}, 30);
  EXPECT_EQ(three["b"] + three["c"] + three["d"], 30);
  auto uneven = deliver({{"b", 2}, {"c", 4}, {"d", 0.5}}, 8);  // d owes no whole item
  EXPECT_EQ(uneven["b"], 2);
  EXPECT_EQ(uneven["c"], 4);
  EXPECT_EQ(uneven.count("d"), 0u);
}

TEST(OffloadSpreader, NoReceiverGetsABurst) {
  offload_spreader s;
  s.begin_window({{"b", 10}, {"c", 10}}, 40);
  std::string picks;
  for (int i = 0; i < 8; ++i) {
    auto to = s.pick();
    picks += to.empty() ? "." : to;
  }
  EXPECT_EQ(picks, ".bc..bc.");  // each receiver one arrival in four, the queue two
}

TEST(OffloadSpreader, ADroppedReceiverGetsNoMore) {
  offload_spreader s;
  s.begin_window({{"b", 4}}, 4);
  EXPECT_EQ(s.pick(), "b");
  s.drop("b");  // congestion: nothing more this window
  EXPECT_FALSE(s.owes());
  EXPECT_EQ(s.pick(), "");
}
