// What the dashboard makes of what it overhears: nodes up, silent and down with why,
// actors down with their node, flows with their rates over the window, and the latest
// statistics an actor published; plans kept per receiver; cameras' regions and boxes.
#include <gtest/gtest.h>

#include "actors/runtime/observe/deployment_view.hpp"
#include "troupe/messages/remo.pb.h"  // a type named a plan
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

template <class T>
letter sent(const std::string& from, const std::string& to, std::shared_ptr<T> body) {
  letter l;
  l.sender = from;
  l.receiver = to;
  l.type = body->GetTypeName();
  l.body = std::move(body);
  return l;
}

std::shared_ptr<msg::Detections> detections(uint64_t frame, int64_t captured_ns, int boxes) {
  auto d = std::make_shared<msg::Detections>();
  d->set_camera("cam");
  d->set_frame_index(frame);
  d->set_capture_time_unix_ns(captured_ns);
  for (int i = 0; i < boxes; ++i) {
    auto* b = d->add_boxes();
    b->set_x(10.f * i);
    b->set_width(5);
  }
  return d;
}

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

TEST(DeploymentView, UnderAnEmulatedClockHeartbeatsComeSlowerAndANodeIsNotSilentForIt) {
  auto topo = two_nodes();
  topo.runtime.time_scale = 4;  // 4 × 500 ms × 4 misses of wall time
  deployment_view v(topo);
  v.heard(heartbeat("cams"), 50, 1 * s);
  EXPECT_EQ(find(v.snapshot(7 * s)["nodes"], "cams")["state"], "up");
  EXPECT_EQ(find(v.snapshot(10 * s)["nodes"], "cams")["state"], "silent");
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

TEST(DeploymentView, PlansAreKeptPerReceiverAndBytesAsTheirSize) {
  deployment_view v(two_nodes());
  for (auto to : {"a", "b"}) {
    auto plan = std::make_shared<msg::remo::SlotPlan>();
    plan->set_slot(to == std::string("a") ? 1 : 2);
    v.heard(sent("det", to, plan), 100, 1 * s);
  }
  auto det = find(v.snapshot(1 * s)["actors"], "det");
  EXPECT_EQ(det["plans"]["SlotPlan"]["a"]["slot"], "1");  // proto3 JSON: 64-bit numbers as strings
  EXPECT_EQ(det["plans"]["SlotPlan"]["b"]["slot"], "2");
  EXPECT_EQ(det["latest"]["SlotPlan"]["slot"], "2");

  auto stats = std::make_shared<msg::CameraStats>();  // not on a topic: kept by its name
  stats->set_camera("cam");
  (*stats->mutable_figures())["fusions"] = 7;
  v.heard(sent("cam", "sink", stats), 100, 1 * s);
  EXPECT_EQ(find(v.snapshot(1 * s)["actors"], "cam")["latest"]["CameraStats"]["figures"]["fusions"], 7);

  auto region = std::make_shared<msg::Region>();
  region->set_camera("cam");
  v.heard(sent("cam", "det", region), 3100, 1 * s);
  EXPECT_FALSE(find(v.snapshot(1 * s)["actors"], "cam")["latest"].contains("Region"));  // not a decision

  auto blob = std::make_shared<msg::Blob>();
  blob->set_data(std::string(3000, 'b'));
  auto published = sent("det", "", blob);
  published.topic = "blobs";
  v.heard(published, 3100, 1 * s);
  EXPECT_EQ(find(v.snapshot(1 * s)["actors"], "det")["latest"]["Blob"]["data"], "(3000 bytes)");
}

TEST(DeploymentView, CamerasShowTheirLatestRegionsAndTheBoxesOfTheirLatestFrame) {
  deployment_view v(two_nodes(), 2);
  auto region = std::make_shared<msg::Region>();
  region->set_camera("cam");
  region->set_frame_index(4);
  region->set_region(2);
  region->set_x(100);
  region->set_width(50);
  region->set_height(40);
  region->set_jpeg("\xff\xd8jpeg");
  v.heard(sent("cam", "det", region), 100, 1 * s);
  EXPECT_EQ(v.region_jpeg("cam", 2), "\xff\xd8jpeg");
  EXPECT_EQ(v.region_jpeg("cam", 1), "");
  EXPECT_EQ(v.region_jpeg("other", 2), "");

  v.heard(sent("det", "sink", detections(4, 1 * s, 2)), 100, 1 * s + 30'000'000);
  v.heard(sent("det2", "sink", detections(4, 1 * s, 1)), 100, 1 * s + 50'000'000);  // another region of frame 4
  v.heard(sent("det", "cam", detections(4, 1 * s, 5)), 100, 1 * s);  // a part the camera fuses: not shown
  auto cam = v.snapshot(2 * s)["cameras"][0];
  EXPECT_EQ(cam["name"], "cam");
  EXPECT_EQ(cam["frame"], 4);
  EXPECT_EQ(cam["boxes"].size(), 3u);
  EXPECT_EQ(cam["regions"][0]["region"], 2);
  EXPECT_EQ(cam["regions"][0]["x"], 100);
  EXPECT_DOUBLE_EQ(cam["latency_ms_p50"].get<double>(), 50.0);  // of 30 and 50 ms: the upper of two

  v.heard(sent("det", "sink", detections(3, 1 * s, 4)), 100, 2 * s);  // an older frame, late: ignored
  EXPECT_EQ(v.snapshot(2 * s)["cameras"][0]["boxes"].size(), 3u);
  v.heard(sent("det", "sink", detections(5, 1 * s, 1)), 100, 2 * s);  // a newer frame starts over
  EXPECT_EQ(v.snapshot(2 * s)["cameras"][0]["boxes"].size(), 1u);
  EXPECT_FALSE(v.snapshot(9 * s)["cameras"][0].contains("latency_ms_p50"));  // none within the window
}
