// The four balancers of VideoJam's evaluation (§3.5.2) as strategies on hand-built
// state tables: where arrivals go, what a window's close sends, how a receiver answers
// an offload (§3.4.2), and what each does when a neighbour congests or is lost.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "actors/videojam/core/balancer.hpp"
#include "actors/videojam/core/baselines.hpp"
#include "actors/videojam/core/link_delays.hpp"
#include "actors/videojam/message_checks.hpp"

using namespace troupe::videojam;

namespace {

load_row row(const std::string& name, double mu, std::vector<double> history, double queue = 0,
             double partition = 0) {
  load_row r;
  r.replica = name;
  r.mu = mu;
  r.history = std::move(history);
  r.queue = queue;
  r.at_ns = 1;
  r.window = 1;
  r.partition = partition;
  return r;
}

state_table table_of(const load_row& own, const std::vector<load_row>& neighbours) {
  state_table t(own.replica);
  t.own() = own;
  for (auto& n : neighbours)
    t.update_from_owner(n);
  return t;
}

balancer_settings two_slot_windows() {
  balancer_settings s;
  s.window_slots = 2;
  s.history_slots = 2;
  return s;
}

std::map<std::string, int> route_many(balancer& b, const replica_now& now, int n) {
  std::map<std::string, int> where;
  for (int i = 0; i < n; ++i)
    ++where[b.route(now.table)];
  return where;
}

}  // namespace

TEST(NoBalancer, KeepsEverythingAndSharesNoState) {
  auto t = table_of(row("a", 1, {9, 9}), {row("b", 5, {0, 0})});
  auto b = make_balancer(balancer_kind::none, {});
  EXPECT_FALSE(b->exchanges_state());
  EXPECT_EQ(route_many(*b, {t, 20}, 10), (std::map<std::string, int>{{"", 10}}));
  auto plan = b->close_window({t, 20});
  EXPECT_TRUE(plan.send_queued.empty());
  EXPECT_FALSE(plan.partition);
  EXPECT_EQ(b->when_away("b"), away_policy::lose);
}

TEST(WrrBalancer, SpreadsArrivalsInProportionToAnnouncedRates) {
  auto t = table_of(row("a", 1, {}), {row("b", 3, {})});
  auto b = make_balancer(balancer_kind::wrr, {});
  EXPECT_TRUE(b->exchanges_state());
  auto where = route_many(*b, {t, 0}, 8);  // weights 1 : 3 — the own queue keeps a quarter
  EXPECT_EQ(where[""], 2);
  EXPECT_EQ(where["b"], 6);
  EXPECT_TRUE(b->close_window({t, 0}).send_queued.empty());  // no window plan: WRR acts per item
}

TEST(WrrBalancer, StartsOverWhenTheNeighbourhoodChanges) {
  auto t = table_of(row("a", 1, {}), {row("b", 1, {})});
  auto b = make_balancer(balancer_kind::wrr, {});
  b->route(t);  // credit left with the two-row table
  t.update_from_owner(row("c", 2, {}));
  auto where = route_many(*b, {t, 0}, 4);  // weights 1 : 1 : 2 from fresh credits
  EXPECT_EQ(where[""], 1);
  EXPECT_EQ(where["b"], 1);
  EXPECT_EQ(where["c"], 2);
}

TEST(WrrBalancer, WeightsAreTheRatesOfTheFirstWindowKeptUntilTheReplicaIsLost) {
  auto own = row("a", 1, {});
  auto b = row("b", 1, {});  // window 1: b measured 1 item per slot over its first window
  auto t = table_of(own, {b});
  auto wrr = make_balancer(balancer_kind::wrr, {});
  route_many(*wrr, {t, 0}, 2);  // both estimates kept
  b.mu = 3;                     // b speeds up later; WRR does not re-measure
  b.at_ns = 2;
  b.window = 2;
  t.update_from_owner(b);
  auto where = route_many(*wrr, {t, 0}, 8);
  EXPECT_EQ(where["b"], 4);
  wrr->lost("b");  // when the system is stressed the policy is updated: b is estimated afresh
  where = route_many(*wrr, {t, 0}, 8);
  EXPECT_EQ(where["b"], 6);
}

TEST(DistreamBalancer, EdgeAnnouncesItsShareOfTheCompute) {
  auto t = table_of(row("edge", 6, {}), {row("end1", 1, {}), row("end2", 3, {})});
  balancer_settings s;  // no `edge`: this replica is the Edge
  auto b = make_balancer(balancer_kind::distream, s);
  auto plan = b->close_window({t, 5});
  ASSERT_TRUE(plan.partition);
  EXPECT_DOUBLE_EQ(*plan.partition, 0.6);  // 6 / (6 + 1 + 3)
  EXPECT_TRUE(plan.send_queued.empty());
  EXPECT_EQ(route_many(*b, {t, 5}, 50)[""], 50);  // the Edge keeps what it gets
}

TEST(DistreamBalancer, EndHandsTheEdgeItsShareAndKeepsItWhileTheEdgeIsAway) {
  balancer_settings s;
  s.edge = "edge";
  auto t = table_of(row("end1", 1, {}), {row("edge", 6, {}, 0, 0.25)});
  auto b = make_balancer(balancer_kind::distream, s);
  auto where = route_many(*b, {t, 0}, 4000);
  EXPECT_NEAR(where["edge"] / 4000.0, 0.25, 0.03);
  EXPECT_EQ(b->when_away("edge"), away_policy::hold);
  EXPECT_EQ(b->when_away("end2"), away_policy::lose);
  t.exclude("edge");  // lost: the last announced share still holds
  EXPECT_NEAR(route_many(*b, {t, 0}, 4000)["edge"] / 4000.0, 0.25, 0.03);
}

TEST(DistreamBalancer, EndBalancesCurrentQueuesWithTheOtherEndsOnly) {
  balancer_settings s;
  s.edge = "edge";
  auto t = table_of(row("end1", 1, {5, 5}), {row("edge", 9, {}, 0), row("end2", 1, {0, 0}, 1)});
  auto b = make_balancer(balancer_kind::distream, s);
  auto plan = b->close_window({t, 9});  // queues 9 and 1 at equal rates: 4 to end2, no forecast
  EXPECT_EQ(plan.release_held_to, "edge");
  ASSERT_EQ(plan.send_queued.size(), 1u);
  EXPECT_EQ(plan.send_queued[0], (std::pair<std::string, size_t>{"end2", 4}));
  EXPECT_TRUE(b->close_window({t, 2}).send_queued.empty());  // queues 2 and 1: within an item
}

// OctoCross's Distream: with a forecaster the Ends balance queues plus forecasts as
// VideoJam's Dispatcher does (eq. 3.3). end1: queue 9, naive forecast 5 + 5; end2:
// queue 1, nothing coming; equal rates: Σφ̃ = 20, 10 each, so end1 owes end2 9 — all
// of its queue, where current queues alone sent 4.
TEST(DistreamBalancer, EndWithAForecasterBalancesQueuesAndForecasts) {
  balancer_settings s;
  s.edge = "edge";
  s.window_slots = s.history_slots = 2;
  s.forecaster = "naive";
  auto t = table_of(row("end1", 1, {5, 5}), {row("edge", 9, {}, 0), row("end2", 1, {0, 0}, 1)});
  auto plan = make_balancer(balancer_kind::distream, s)->close_window({t, 9});
  ASSERT_EQ(plan.send_queued.size(), 1u);
  EXPECT_EQ(plan.send_queued[0], (std::pair<std::string, size_t>{"end2", 9}));
}

// "With queues and bandwidth": an End whose probed delay leaves no slack under the SLO
// is left out; the same table otherwise sends it 4.
TEST(DistreamBalancer, EndSkipsAnEndWhoseLinkLeavesNoSloSlack) {
  balancer_settings s;
  s.edge = "edge";
  s.slo_ms = 200;
  auto t = table_of(row("end1", 1, {5, 5}), {row("edge", 9, {}, 0), row("end2", 1, {0, 0}, 1)});
  std::map<std::string, double> far = {{"end2", 250}}, near = {{"end2", 20}};
  EXPECT_TRUE(make_balancer(balancer_kind::distream, s)->close_window({t, 9, &far}).send_queued.empty());
  auto plan = make_balancer(balancer_kind::distream, s)->close_window({t, 9, &near});
  ASSERT_EQ(plan.send_queued.size(), 1u);
  EXPECT_EQ(plan.send_queued[0], (std::pair<std::string, size_t>{"end2", 4}));
}

// The own row (μ 2, forecast 4 + 4, queue 6) against an idle neighbour of the same
// rate: Σφ̃ = 14, balanced 7 each (eq. 3.3), so 7 items go to b — 6 from the queue at
// once, 1 over the window's 8 forecast arrivals.
class VideoJamBalancer : public ::testing::Test {
 protected:
  state_table t = table_of(row("a", 2, {4, 4}), {row("b", 2, {0, 0})});
  std::unique_ptr<balancer> b = make_balancer(balancer_kind::videojam, two_slot_windows());
};

TEST_F(VideoJamBalancer, SendsWhatWaitsAtOnceAndSpreadsTheRestOverArrivals) {
  auto plan = b->close_window({t, 6});
  ASSERT_EQ(plan.send_queued.size(), 1u);
  EXPECT_EQ(plan.send_queued[0], (std::pair<std::string, size_t>{"b", 6}));
  auto where = route_many(*b, {t, 0}, 8);  // one item owed, an eighth of each arrival
  EXPECT_EQ(where["b"], 1);
  EXPECT_EQ(where[""], 7);
  EXPECT_EQ(route_many(*b, {t, 0}, 16)[""], 16);  // paid
  EXPECT_FALSE(b->time_spent().dispatch_us.empty());
}

TEST_F(VideoJamBalancer, AnOffloadingReceiverSignalsCongestionRisk) {
  b->close_window({t, 6});  // a owes b this window
  EXPECT_EQ(b->received("b", 3, {t, 6}), offload_verdict::congestion_risk);
}

TEST_F(VideoJamBalancer, ACongestedOrLostReceiverGetsNothingMore) {
  b->close_window({t, 0});  // all 7 owed over the 8 arrivals
  b->congested("b");
  EXPECT_EQ(route_many(*b, {t, 0}, 16)[""], 16);
  b->close_window({t, 0});
  b->lost("b");
  EXPECT_EQ(route_many(*b, {t, 0}, 16)[""], 16);
}

TEST(VideoJamBalancerRules, SendingThisWindowAlsoMakesAReceiverRefuse) {
  auto t = table_of(row("a", 2, {0, 0}), {row("b", 2, {0, 0}), row("c", 2, {0, 0})});
  auto b = make_balancer(balancer_kind::videojam, two_slot_windows());
  b->close_window({t, 0});  // balanced: nothing owed, nothing expected
  EXPECT_NE(b->received("b", 1, {t, 0}), offload_verdict::congestion_risk);
  b->sent("c", 2);
  EXPECT_EQ(b->received("b", 1, {t, 0}), offload_verdict::congestion_risk);
  b->close_window({t, 0});  // a new window forgets what was sent
  EXPECT_NE(b->received("b", 1, {t, 0}), offload_verdict::congestion_risk);
}

// The receiver's side of the first table: b (μ 2, 6 queued, forecast 8) is expected
// to send a 9 items (eqs. 3.1–3.3); beyond 9 × 1.5 is a prediction error.
TEST(VideoJamBalancerRules, PredictionErrorAnsweredOncePerSenderAndWindow) {
  auto t = table_of(row("a", 2, {0, 0}), {row("b", 2, {4, 4}, 6)});
  auto b = make_balancer(balancer_kind::videojam, two_slot_windows());
  b->close_window({t, 0});
  EXPECT_EQ(b->received("b", 5, {t, 0}), offload_verdict::accept);
  EXPECT_EQ(b->received("b", 9, {t, 0}), offload_verdict::state_update);  // 14 > 13.5
  EXPECT_EQ(b->received("b", 1, {t, 0}), offload_verdict::accept);        // already told
  b->close_window({t, 0});
  EXPECT_EQ(b->received("b", 14, {t, 0}), offload_verdict::state_update);
}

// §3.4.3: the Monitor compares the window's arrivals with their forecast slot by slot
// and, on a miss, has the Dispatcher plan again. a forecasts 4 per slot (μ 2, idle b).
TEST(VideoJamBalancerRules, TheMonitorReplansWhenTheForecastMisses) {
  balancer_settings s = two_slot_windows();
  s.window_slots = 4;
  s.history_slots = 4;
  auto t = table_of(row("a", 2, {4, 4, 4, 4}), {row("b", 2, {0, 0, 0, 0})});
  auto b = make_balancer(balancer_kind::videojam, s);
  b->close_window({t, 0});  // the naive forecast: 4 per slot
  auto slot = [&](double arrived) {  // as the actor does: history first, then the Monitor
    auto& h = t.own().history;
    h.erase(h.begin());
    h.push_back(arrived);
    return b->slot_closed(arrived, {t, 0});
  };
  EXPECT_FALSE(slot(5));  // 5 against 4
  EXPECT_FALSE(slot(0));  // 5 against 8: within half the forecast
  EXPECT_TRUE(slot(0));   // 5 against 12: the load went away
  EXPECT_EQ(b->time_spent().reactions, 1u);
  EXPECT_FALSE(slot(2));  // against the new plan's forecast (2.25 per slot)
  EXPECT_EQ(make_balancer(balancer_kind::wrr, s)->slot_closed(100, {t, 0}), std::nullopt);  // baselines never react
}

TEST(VideoJamRules, AForecastMissIsEitherWayBeyondTheThreshold) {
  EXPECT_FALSE(forecast_missed(12, 10, 0.5));
  EXPECT_TRUE(forecast_missed(16, 10, 0.5));
  EXPECT_TRUE(forecast_missed(4, 10, 0.5));   // fewer than forecast is a miss too
  EXPECT_FALSE(forecast_missed(1, 0, 0.5));   // more than one item
  EXPECT_TRUE(forecast_missed(2, 0, 0.5));
}

TEST(DistreamBalancer, SemiStochasticDrawsOnlyAtThePartitionPoint) {
  // Edge share 0.6 of two functions: p = 0.8 — the first draws (to the Edge 0.2), the second always goes.
  EXPECT_NEAR(semi_stochastic_to_edge(0.6, 0, 2), 0.2, 1e-12);
  EXPECT_DOUBLE_EQ(semi_stochastic_to_edge(0.6, 1, 2), 1);
  // Share 0.3: p = 1.4 — the first stays on the End, the second draws (to the Edge 0.6).
  EXPECT_DOUBLE_EQ(semi_stochastic_to_edge(0.3, 0, 2), 0);
  EXPECT_NEAR(semi_stochastic_to_edge(0.3, 1, 2), 0.6, 1e-12);
  // A one-function pipeline is the full-stochastic draw.
  EXPECT_NEAR(semi_stochastic_to_edge(0.25, 0, 1), 0.25, 1e-12);

  balancer_settings s;
  s.edge = "edge";
  s.stage = 1;
  s.stages = 2;
  auto t = table_of(row("end1", 1, {}), {row("edge", 6, {}, 0, 0.3)});
  auto b = make_balancer(balancer_kind::distream_semi, s);
  EXPECT_NEAR(route_many(*b, {t, 0}, 4000)["edge"] / 4000.0, 0.6, 0.03);
  s.stage = 0;
  EXPECT_EQ(route_many(*make_balancer(balancer_kind::distream_semi, s), {t, 0}, 100)["edge"], 0);
}

TEST(PlanBalancer, KeepsEverythingUntilAPlanThenSplitsByItsShares) {
  auto t = table_of(row("a", 1, {0, 0}), {});
  auto b = make_balancer(balancer_kind::plan, {});
  EXPECT_FALSE(b->exchanges_state());
  EXPECT_EQ(route_many(*b, {t, 0}, 10), (std::map<std::string, int>{{"", 10}}));
  ASSERT_TRUE(b->follow({{"b", 0.5}, {"c", 0.25}}));  // keep 1 − 0.75
  EXPECT_EQ(route_many(*b, {t, 0}, 40), (std::map<std::string, int>{{"", 10}, {"b", 20}, {"c", 10}}));
}

TEST(PlanBalancer, ALostTargetsShareIsKeptAndItemsForAnAbsentTargetStay) {
  auto t = table_of(row("a", 1, {0, 0}), {});
  auto b = make_balancer(balancer_kind::plan, {});
  b->follow({{"b", 0.5}, {"c", 0.5}});
  b->lost("b");
  EXPECT_EQ(route_many(*b, {t, 0}, 20), (std::map<std::string, int>{{"", 10}, {"c", 10}}));
  EXPECT_EQ(b->when_away("c"), away_policy::keep);
}

TEST(OtherBalancers, FollowNoPlan) {
  for (auto kind : {balancer_kind::videojam, balancer_kind::none, balancer_kind::wrr, balancer_kind::distream})
    EXPECT_FALSE(make_balancer(kind, {})->follow({{"b", 0.5}}));
}

TEST(OffloadPlan, IsCheckedBeforeItIsFollowed) {
  auto known = [](const std::string& r) { return r == "b" || r == "c"; };
  EXPECT_EQ(check_plan({{"b", 0.5}, {"c", 0.5}}, "a", known), plan_verdict::applied);
  EXPECT_EQ(check_plan({}, "a", known), plan_verdict::applied);  // keep everything
  EXPECT_EQ(check_plan({{"b", 1.2}}, "a", known), plan_verdict::bad_fraction);
  EXPECT_EQ(check_plan({{"b", -0.1}}, "a", known), plan_verdict::bad_fraction);
  EXPECT_EQ(check_plan({{"b", std::nan("")}}, "a", known), plan_verdict::bad_fraction);
  EXPECT_EQ(check_plan({{"b", 0.6}, {"c", 0.5}}, "a", known), plan_verdict::over_one);
  EXPECT_EQ(check_plan({{"z", 0.1}}, "a", known), plan_verdict::unknown_target);
  EXPECT_EQ(check_plan({{"a", 0.1}}, "a", known), plan_verdict::to_itself);
  EXPECT_EQ(check_plan({{"b", 0.1}, {"b", 0.1}}, "a", known), plan_verdict::duplicate);
}

// Link delays as of now: the last echo, floored by the oldest probe in flight; unknown
// before the first echo; forgotten when nothing recent speaks for the link.
TEST(LinkDelays, AnUnansweredProbeRaisesTheDelayAndOldEchoesAreForgotten) {
  using troupe::videojam::link_delays;
  const int64_t ms = 1'000'000, age = 15'000 * ms;
  link_delays d;
  d.sent("b", 0);
  EXPECT_TRUE(d.now(1 * ms, age).empty()) << "no echo yet: not measured";
  d.echoed("b", 0, 40 * ms);
  EXPECT_DOUBLE_EQ(d.now(50 * ms, age).at("b"), 20.0);  // half the round trip
  d.sent("b", 5000 * ms);                               // lost on a full uplink
  d.sent("b", 10000 * ms);                              // in flight: the oldest counts
  EXPECT_DOUBLE_EQ(d.now(5030 * ms, age).at("b"), 20.0) << "a young probe does not lower the last echo";
  EXPECT_DOUBLE_EQ(d.now(11000 * ms, age).at("b"), 3000.0) << "6 s unanswered: at least 3 s one way";
  d.echoed("b", 10000 * ms, 11100 * ms);  // the later probe's echo answers the lost one too
  EXPECT_DOUBLE_EQ(d.now(11200 * ms, age).at("b"), 550.0);
  EXPECT_EQ(d.now(11100 * ms + age + 1, age).count("b"), 0u) << "no probe since, the echo too old";
}

// What a replica takes into its state table (§3.4.2): a row from the future would win
// every merge for the rest of a run, a NaN μ would poison every forecast.
TEST(VideoJamChecks, ATableRowIsNamedFiniteAndOfThisRun) {
  const int64_t s = 1'000'000'000, t0 = 1'764'000'000 * s;
  auto window = troupe::window_since(t0, t0 + 60 * s);
  troupe::msg::videojam::LoadTable t;
  auto* row = t.add_rows();
  row->set_replica("ocr-1");
  row->set_mu(12);
  row->add_history(3);
  row->set_queue(4);
  row->set_exchanged(-2);
  row->set_at_unix_ns(t0 + 30 * s);
  row->set_partition(0.5);
  EXPECT_FALSE(check_table(t, window));
  auto spoiled = [&](auto spoil) {
    auto bad = t;
    spoil(*bad.mutable_rows(0));
    return check_table(bad, window);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(spoiled([&](auto& r) { r.set_at_unix_ns(t0 + 3600 * s); }), troupe::refusal::out_of_range);
  EXPECT_EQ(spoiled([&](auto& r) { r.set_mu(nan); }), troupe::refusal::out_of_range);
  EXPECT_EQ(spoiled([&](auto& r) { r.set_queue(-1); }), troupe::refusal::out_of_range);
  EXPECT_EQ(spoiled([&](auto& r) { r.set_history(0, -5); }), troupe::refusal::out_of_range);
  EXPECT_EQ(spoiled([&](auto& r) { r.set_partition(2); }), troupe::refusal::out_of_range);
  EXPECT_EQ(spoiled([&](auto& r) { r.set_replica(""); }), troupe::refusal::out_of_range);

  troupe::msg::videojam::DataOffload d;
  auto* item = d.add_items();
  item->set_camera("cam");
  item->set_sink("sink");
  item->set_capture_time_unix_ns(t0 + 20 * s);
  *d.mutable_table() = t;
  EXPECT_FALSE(check_offload(d, window));
  item->clear_sink();
  EXPECT_EQ(check_offload(d, window), troupe::refusal::missing_field);

  troupe::msg::videojam::LinkProbe echo;
  echo.set_echo(true);
  echo.set_sent_at_unix_ns(t0 + 59 * s);
  EXPECT_FALSE(check_echo(echo, window, t0 + 60 * s));
  echo.set_sent_at_unix_ns(t0 + 60 * s + 1);  // an echo of a probe not sent yet: a negative delay
  EXPECT_EQ(check_echo(echo, window, t0 + 60 * s), troupe::refusal::out_of_range);
}

TEST(VideoJamChecks, StatsSpeakForTheirSenderWithFiniteFigures) {
  troupe::msg::videojam::FunctionStats st;
  st.set_replica("ocr-1");
  st.set_mu(10);
  st.set_busy_fraction(0.4);
  st.set_slot_s(1);
  EXPECT_FALSE(check_stats(st, "ocr-1"));
  EXPECT_EQ(check_stats(st, "ocr-2"), troupe::refusal::forged_sender);
  st.set_busy_fraction(1.5);
  EXPECT_EQ(check_stats(st, "ocr-1"), troupe::refusal::out_of_range);
  st.set_busy_fraction(0.4);
  st.set_mu_objects(std::numeric_limits<double>::infinity());
  EXPECT_EQ(check_stats(st, "ocr-1"), troupe::refusal::out_of_range);
  troupe::msg::videojam::PipelineResult r;
  r.set_capture_time_unix_ns(5);
  EXPECT_EQ(check_result(r, troupe::window_since(1'000'000'000'000'000'000, 1'000'000'000'000'000'000)),
            troupe::refusal::missing_field);
  r.set_camera("cam");
  EXPECT_EQ(check_result(r, troupe::window_since(1'000'000'000'000'000'000, 1'000'000'000'000'000'000)),
            troupe::refusal::out_of_range);
}
