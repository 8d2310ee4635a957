// OctoCross's pure parts pinned by hand-computed cases: the three views (§3.1), the
// mask and projection of the offloading head, the greedy scheduler, and the online
// adaptation state machine (§3.3, Algorithm 1 lines 10–17).
#include <cmath>

#include <gtest/gtest.h>

#include "actors/octocross/core/adaptation.hpp"
#include "actors/octocross/core/cluster_views.hpp"
#include "actors/octocross/core/offload_projection.hpp"

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
  adaptation now({false}, {});  // Fig. 8: collect 0 s
  EXPECT_EQ(now.seen(0, 1), (std::vector<adaptation_event>{{what::joined, 0}, {what::finetune_joined, 0}}));
}
