// What the dashboard makes of what it overhears: nodes up, silent and down with why,
// actors down with their node, flows with their rates over the window, and the latest
// statistics an actor published.
#include <gtest/gtest.h>

#include "actors/runtime/observe/deployment_view.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"

using namespace troupe;

namespace {

topology two_nodes() {
  topology t;
  t.runtime.heartbeat_ms = 500;
  t.runtime.heartbeat_misses = 4;
  t.nodes = {node_spec{"cams"}, node_spec{"edge"}};
  actor_spec cam, det;
  cam.name = "cam";
  cam.kind = "camera";
  cam.node = "cams";
  det.name = "det";
  det.kind = "detector";
  det.node = "edge";
  t.actors = {cam, det};
  return t;
}

letter announcement(const std::string& node, const std::string& what, message_ptr body) {
  letter l;
  l.sender = "node/" + node;
  l.sender_node = node;
  l.topic = "sys." + what;
  l.body = std::move(body);
  return l;
}

letter heartbeat(const std::string& node) {
  auto hb = std::make_shared<msg::NodeHeartbeat>();
  hb->set_node(node);
  return announcement(node, "heartbeat", hb);
}

nlohmann::json find(const nlohmann::json& list, const std::string& name) {
  for (auto& e : list)
    if (e["name"] == name)
      return e;
  return {};
}

constexpr int64_t s = 1'000'000'000;

}  // namespace

TEST(DeploymentView, NodesAreUpSilentOrDownAndTheirActorsWithThem) {
  deployment_view v(two_nodes());
  auto at0 = v.snapshot(0);
  EXPECT_EQ(find(at0["nodes"], "cams")["state"], "not heard");
  EXPECT_EQ(find(at0["actors"], "cam")["state"], "not heard");
  v.heard(heartbeat("cams"), 50, 1 * s);
  v.heard(heartbeat("edge"), 50, 1 * s);
  auto up = v.snapshot(2 * s);
  EXPECT_EQ(find(up["nodes"], "cams")["state"], "up");
  EXPECT_EQ(find(up["actors"], "cam")["state"], "up");  // its node is
  EXPECT_EQ(find(v.snapshot(4 * s)["nodes"], "cams")["state"], "silent");  // past 4 × 500 ms
  auto down = std::make_shared<msg::NodeDown>();
  down->set_node("cams");
  down->set_reason("no heartbeat for 2500 ms");
  v.heard(announcement("edge", "node_down", down), 60, 4 * s);
  auto after = v.snapshot(4 * s);
  EXPECT_EQ(find(after["nodes"], "cams")["state"], "down");
  EXPECT_EQ(find(after["nodes"], "cams")["why"], "no heartbeat for 2500 ms");
  EXPECT_EQ(find(after["actors"], "cam")["state"], "down");
  EXPECT_EQ(find(after["actors"], "det")["state"], "up");
}

TEST(DeploymentView, FlowsHaveRatesOverTheWindowAndStatisticsAreKept) {
  deployment_view v(two_nodes(), 2);
  for (int i = 0; i < 10; ++i) {  // 5 per second for 2 s
    letter l;
    l.sender = "cam";
    l.receiver = "det";
    l.type = "troupe.msg.Region";
    v.heard(l, 1000, int64_t(i) * s / 5);
  }
  auto edges = v.snapshot(2 * s)["edges"];
  ASSERT_EQ(edges.size(), 1u);
  EXPECT_EQ(edges[0]["from"], "cam");
  EXPECT_EQ(edges[0]["to"], "det");
  EXPECT_EQ(edges[0]["messages"], 10);
  EXPECT_DOUBLE_EQ(edges[0]["per_s"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(edges[0]["bytes_per_s"].get<double>(), 5000.0);
  EXPECT_DOUBLE_EQ(v.snapshot(10 * s)["edges"][0]["per_s"].get<double>(), 0.0);  // nothing lately

  letter stats;
  stats.sender = "det";
  stats.topic = "replica-stats";
  auto r = std::make_shared<msg::ReplicaStats>();
  r->set_replica("det");
  r->set_compute_p50_ms(12.5);
  stats.body = r;
  stats.type = r->GetTypeName();
  v.heard(stats, 80, 3 * s);
  auto det = find(v.snapshot(3 * s)["actors"], "det");
  EXPECT_EQ(det["latest"]["ReplicaStats"]["compute_p50_ms"], 12.5);
  EXPECT_TRUE(det["heard"].get<bool>());
  auto flows = v.snapshot(3 * s)["edges"];
  EXPECT_EQ(flows[1]["to"], "#replica-stats");
}
