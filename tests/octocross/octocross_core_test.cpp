// OctoCross's pure parts pinned by hand-computed cases: the three views (§3.1), the
// mask and projection of the offloading head, the greedy scheduler, and the online
// adaptation state machine (§3.3, Algorithm 1 lines 10–17), and the scheduler's traces.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "actors/octocross/core/adaptation.hpp"
#include "actors/octocross/core/cluster_recording.hpp"
#include "actors/octocross/core/cluster_views.hpp"
#include "actors/octocross/core/offload_model.hpp"
#include "actors/octocross/core/offload_projection.hpp"
#include "test_support.hpp"

using namespace troupe::octocross;

TEST(ClusterViews, EdgesSplitWhereBothSidesAreNodes) {
  std::vector<std::string> nodes = {"yard-1", "lobby", "floor-1-a"};
  auto e = parse_edges("yard-1-lobby, lobby-floor-1-a", nodes);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], (std::pair<size_t, size_t>{0, 1}));
  EXPECT_EQ(e[1], (std::pair<size_t, size_t>{1, 2}));
  EXPECT_TRUE(parse_edges("", nodes).empty());
  EXPECT_THROW(parse_edges("yard-1-basement", nodes), std::runtime_error);
  EXPECT_THROW(parse_edges("lobby-lobby", nodes), std::runtime_error);
  EXPECT_THROW(parse_edges("a-b-c", {"a", "a-b", "b-c", "c"}), std::runtime_error);  // a|b-c or a-b|c
}

TEST(ClusterViews, EachViewIsMaskedByTheNodesThatAreUp) {
  std::vector<bool> up = {true, true, false};
  auto phys = physical_view(3, {{0, 1}, {1, 2}}, up);
  EXPECT_EQ(phys, (matrix{{0, 1, 0}, {1, 0, 0}, {0, 0, 0}}));

  auto delay = zeros(3);
  delay[0][1] = 100;
  delay[0][2] = 10;
  std::vector<std::vector<bool>> measured = {{false, true, true}, {false, false, false}, {false, false, false}};
  auto net = network_view(delay, measured, 200, up);
  EXPECT_DOUBLE_EQ(net[0][1], std::exp(-0.5));  // exp(−delay/SLO)
  EXPECT_DOUBLE_EQ(net[0][0], 1);
  EXPECT_DOUBLE_EQ(net[1][0], 0);               // not measured yet
  EXPECT_DOUBLE_EQ(net[0][2], 0);               // down

  auto res = resource_view({0.3, 1.2, 0}, up);
  EXPECT_DOUBLE_EQ(res[1][0], 0.7);
  EXPECT_DOUBLE_EQ(res[0][1], 0);               // over-busy: no room
  EXPECT_DOUBLE_EQ(res[0][2], 0);               // down
}

TEST(OffloadProjection, MaskLetsOnlyOverloadedNodesSendToUnderloadedLinkedOnes) {
  std::vector<node_outlook> nodes = {{12, 10}, {5, 10}, {5, 10}, {11, 10}};
  std::vector<bool> up = {true, true, false, true};
  matrix net(4, std::vector<double>(4, 1.0));
  net[3][1] = 0;  // no measured link
  auto m = offload_mask(nodes, up, net);
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = 0; j < 4; ++j)
      EXPECT_EQ(m[i][j], i == 0 && j == 1) << i << "->" << j;
}

TEST(OffloadProjection, ClampsToThetaAndToTheTargetsRoom) {
  std::vector<node_outlook> nodes = {{12, 10}, {5, 10}};
  mask allowed = {{false, true}, {false, false}};
  auto m = project({{0, 0.8}, {0.3, 0}}, nodes, allowed, {});
  // 0.8 → θ = 0.5; inflow 0.5 × 12 = 6 > 0.9 × (10 − 5) = 4.5 → × 4.5 / 6
  EXPECT_DOUBLE_EQ(m[0][1], 0.375);
  EXPECT_DOUBLE_EQ(m[1][0], 0);  // masked
}

TEST(OffloadProjection, ARowSendsAtMostAllItsArrivals) {
  std::vector<node_outlook> nodes = {{30, 10}, {0, 100}, {0, 100}};
  mask allowed = {{false, true, true}, {false, false, false}, {false, false, false}};
  projection_settings s;
  s.theta = 0.7;
  auto m = project({{0, 0.9, 0.7}, {0, 0, 0}, {0, 0, 0}}, nodes, allowed, s);
  EXPECT_DOUBLE_EQ(m[0][1], 0.5);  // 0.7 and 0.7 (θ) scaled to a row of 1
  EXPECT_DOUBLE_EQ(m[0][2], 0.5);
}

TEST(OffloadProjection, GreedyShedsTheExcessOverTheBalancedLoad) {
  // balanced: 10 × 16 / 20 = 8 each (eq. 3.3); node 0 holds 4 too many
  auto m = greedy_offloads({{12, 10}, {4, 10}, {50, 10}}, {true, true, false});
  EXPECT_DOUBLE_EQ(m[0][1], 4.0 / 12);
  EXPECT_DOUBLE_EQ(m[1][0], 0);
  EXPECT_DOUBLE_EQ(m[2][1], 0);  // down: not in the policy
}

using what = adaptation_event::what;

TEST(Adaptation, ALostNodeIsMaskedAtOnceAndUnmaskedWhenBackInGrace) {
  adaptation a({true, true}, {});
  EXPECT_EQ(a.seen(0, 0), (std::vector<adaptation_event>{{what::joined, 0}}));
  a.seen(1, 0);
  EXPECT_EQ(a.lost(1, 10), (std::vector<adaptation_event>{{what::masked, 1}}));
  EXPECT_EQ(a.mask(), (std::vector<bool>{true, false}));
  EXPECT_TRUE(a.tick(159).empty());
  EXPECT_EQ(a.seen(1, 159), (std::vector<adaptation_event>{{what::unmasked, 1}}));  // within 150 s
  EXPECT_TRUE(a.up(1));
}

TEST(Adaptation, ANodeNotBackAfterGraceMeansFinetuning) {
  adaptation a({true, true}, {});
  a.seen(0, 0);
  a.seen(1, 0);
  a.lost(1, 10);
  EXPECT_EQ(a.tick(160), (std::vector<adaptation_event>{{what::finetune_lost, 1}}));
  EXPECT_TRUE(a.tick(200).empty());  // once
  EXPECT_EQ(a.seen(1, 300), (std::vector<adaptation_event>{{what::joined, 1}}));  // the model knows it: no finetune
}

TEST(Adaptation, ANewNodeJoinsAtOnceAndIsLearntAfterItsCollection) {
  adaptation_settings s;
  s.collect_s = 60;
  adaptation a({true, false}, s);
  EXPECT_EQ(a.seen(1, 5), (std::vector<adaptation_event>{{what::joined, 1}}));
  EXPECT_TRUE(a.up(1));
  EXPECT_TRUE(a.tick(64).empty());
  EXPECT_EQ(a.tick(65), (std::vector<adaptation_event>{{what::finetune_joined, 1}}));
  adaptation blip({true, false}, s);  // away 20 s within its grace: the collection pauses, not ends
  blip.seen(1, 0);
  blip.lost(1, 30);
  EXPECT_EQ(blip.seen(1, 50), (std::vector<adaptation_event>{{what::unmasked, 1}}));
  EXPECT_TRUE(blip.tick(79).empty());  // 30 + 29 s up
  EXPECT_EQ(blip.tick(80), (std::vector<adaptation_event>{{what::finetune_joined, 1}}));
  adaptation_settings fig8;
  fig8.collect_s = 0;  // Fig. 8's run
  adaptation now({false}, fig8);
  EXPECT_EQ(now.seen(0, 1), (std::vector<adaptation_event>{{what::joined, 0}, {what::finetune_joined, 0}}));
}

namespace {

cluster_recording two_nodes() {
  cluster_recording r;
  r.nodes = {"yard", "lobby"};
  r.edges = {{0, 1}};
  r.slo_ms = 100;
  for (int t = 1; t <= 3; ++t) {
    auto s = cluster_sample::empty(2, t);
    s.objects = {double(10 * t), 5};
    s.mu = {20, t == 3 ? 0.0 : 40};  // the lobby's μ not measured in the last second
    s.busy = {0.5, 0.25};
    s.up = {true, t != 2};           // the lobby away for a second
    s.delay_ms[0][1] = 100;
    r.samples.push_back(s);
  }
  return r;
}

}  // namespace

TEST(ClusterRecording, ATraceReadsBackAsItWasWritten) {
  auto r = two_nodes();
  std::string text = trace_header(r);
  for (auto& s : r.samples)
    text += trace_rows(r, s);
  EXPECT_NE(text.find("# octocross trace; slo_ms: 100; edges: yard-lobby\n"), std::string::npos);
  EXPECT_NE(text.find("1,yard,10,20,0.5,0,1,lobby:100\n"), std::string::npos);
  auto back = read_trace(troupe::testing::write_temp("two-nodes.csv", text));
  EXPECT_EQ(back.nodes, r.nodes);
  EXPECT_EQ(back.edges, r.edges);
  EXPECT_EQ(back.slo_ms, 100);
  ASSERT_EQ(back.samples.size(), 3u);
  EXPECT_EQ(back.samples[1].up, (std::vector<bool>{true, false}));
  EXPECT_EQ(back.samples[2].delay_ms, (matrix{{-1, 100}, {-1, -1}}));
}

TEST(ClusterRecording, TheStateBeforeAMomentAndTheLoadAfter) {
  auto r = two_nodes();
  auto s = state_before(r, 2, 2);
  EXPECT_EQ(s.history, (matrix{{10, 20}, {5, 0}}));  // 0 while away
  EXPECT_EQ(s.mu, (std::vector<double>{20, 40}));
  EXPECT_EQ(s.up, (std::vector<bool>{true, false}));
  EXPECT_EQ(s.a_phys, (matrix{{0, 0}, {0, 0}}));     // masked by the lobby being away
  auto last = state_before(r, 3, 2);
  EXPECT_EQ(last.mu, (std::vector<double>{20, 40}));  // the last measured μ
  EXPECT_NEAR(last.a_net[0][1], std::exp(-1.0), 1e-12);  // exp(−100 ms / 100 ms)
  EXPECT_EQ(last.a_net[1][0], 0);                         // not probed
  EXPECT_EQ(last.a_res[0][1], 0.75);
  EXPECT_EQ(load_after(r, 1, 2), (matrix{{20, 30}, {0, 5}}));
  EXPECT_THROW(state_before(r, 1, 2), std::out_of_range);
  EXPECT_THROW(load_after(r, 2, 2), std::out_of_range);
}

TEST(ClusterRecording, AWindowWhoseLabelSeesANodeLeaveIsFound) {
  auto r = two_nodes();  // the lobby: up, away, up
  EXPECT_TRUE(departs_within(r, 1, 2));   // up at 0, away at 1
  EXPECT_TRUE(departs_within(r, 1, 1));
  EXPECT_FALSE(departs_within(r, 2, 1));  // away at 1, back at 2: a return, not a departure
  EXPECT_THROW(departs_within(r, 2, 2), std::out_of_range);
}

TEST(ClusterRecording, ANodeWithoutASlotIsShownAsAway) {
  auto s = state_before(two_nodes(), 3, 2);
  mask_unplaced(s, {1, 8}, 8);  // the lobby past N_max = 8
  EXPECT_EQ(s.slot, (std::vector<size_t>{1, 0}));
  EXPECT_EQ(s.up, (std::vector<bool>{true, false}));
  EXPECT_EQ(s.a_net, (matrix{{1, 0}, {0, 0}}));
  EXPECT_EQ(s.a_res, (matrix{{0.5, 0}, {0, 0}}));
}

TEST(ClusterRecording, ABadLineIsNamedByFileAndLine) {
  auto header = std::string("# octocross trace; slo_ms: 200; edges: a-b\nt_s,node,objects,mu,busy,queue_s,up,delays_ms\n");
  auto zero_slo = troupe::testing::write_temp("bad-slo.csv", "# octocross trace; slo_ms: 0; edges: a-b\n1,a,1,2,0,0,1,\n");
  EXPECT_THROW(read_trace(zero_slo), std::runtime_error);  // A_net = exp(−delay/SLO) needs SLO > 0
  auto expect_error = [&](const std::string& body, const std::string& what) {
    auto path = troupe::testing::write_temp("bad-trace.csv", header + body);
    try {
      read_trace(path);
      ADD_FAILURE() << body;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ":" + what), std::string::npos) << e.what();
    }
  };
  expect_error("1,a,1,2,0,0,1,\n1,b,x,2,0,0,1,\n", "4: objects 'x' is not a number");
  expect_error("1,a,1,2,0,0,1,b:3\n1,b,1,2,0,0,1,c:4\n", "4: delay to unknown node c");
  expect_error("1,a,1,2,0,0,1,\n1,b,1,2,0,0,1,\n2,a,1,2,0,0,1,\n", "5: second 2 has 1 nodes");
  expect_error("1,a,1,2\n", "3: expected t_s,node");
  expect_error("1,a,1,2,0,0,1,\n1,c,1,2,0,0,1,\n", "1: edge 'a-b'");  // the header names b, the rows do not
  expect_error("1,a,1,2,0,0,1,\n1,b,1,2,0,0,1,\n2,a,1,2,0,0,1,\n3,a,1,2,0,0,1,\n3,b,1,2,0,0,1,\n",
               "5: second 2 has 1 nodes");  // found when second 3 begins, named where second 2 began
}

TEST(OffloadModel, NodesTakeTheirSlotsByNameAndNewOnesTheNextFree) {
  std::vector<std::string> known = {"server", "yard-1", "yard-2"};
  // A smaller site in another order keeps every known node's row of P; new ones queue up.
  EXPECT_EQ(assign_slots(known, {"yard-2", "lobby", "server", "basement"}, 8), (std::vector<size_t>{2, 3, 0, 4}));
  EXPECT_EQ(assign_slots(known, {"lobby", "basement", "f1-1"}, 5), (std::vector<size_t>{3, 4, 5}));  // 5: no slot
  EXPECT_EQ(parse_variant("gnn_lstm"), model_variant::gnn_lstm);
  EXPECT_STREQ(variant_name(model_variant::spat_abl), "spat_abl");
}
