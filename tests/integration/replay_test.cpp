// Record and replay (issue 21, item 4): a run recorded with `troupe run --record DIR`
// keeps every actor's inputs; `troupe replay DIR --only region-scheduler` re-feeds ReMO's
// scheduler what it had and it makes the same decisions, bit for bit; a scheduler told
// another policy does not, and says where it first differs.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/deploy/replay.hpp"
#include "actors/runtime/trace/input_log.hpp"
#include "test_support.hpp"
#include "troupe/messages/remo.pb.h"

using namespace troupe;
using namespace troupe::testing;

namespace {

std::string temp_dir(const std::string& name) {
  auto dir = std::string(::testing::TempDir()) + "/" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

letter plan_to(const std::string& camera, uint64_t slot, uint64_t sequence) {
  letter l;
  auto p = std::make_shared<msg::remo::SlotPlan>();
  p->set_slot(slot);
  p->set_policy("remo");
  l.body = p;
  l.type = p->GetTypeName();
  l.sender = "scheduler";
  l.receiver = camera;
  l.sequence = sequence;
  return l;
}

// Two region cameras, their detectors, the server's, ReMO's scheduler and a sink, 6 s.
std::string remo_pair(const std::string& policy) {
  std::string cam = R"(source: /usr/share/doc/opencv-doc/examples/data/vtest.avi, loop: true, fps: 5, sink: sink,
              server: det-server, scheduler: scheduler, accuracy: 0.9, profile: topologies/devices.yaml,
              model: hog, regions: [0, 0, 384, 288, 0, 288, 384, 288])";
  return R"(deployment: replay-test
nats: embedded
runtime: { duration_s: 6, time_scale: 2 }
nodes: [{name: server}, {name: cam1}, {name: cam2}]
actors:
  - {name: scheduler, kind: region-scheduler, node: server, params: {policy: )" + policy + R"(, t_max: 0.5}}
  - {name: det-server, kind: detector, node: server, params: {device: edge-server, profile: topologies/devices.yaml}}
  - {name: sink, kind: sink, node: server}
  - {name: cam-left, kind: region-camera, node: cam1, params: {crop: [0, 0, 384, 576], detector: det-1,
              device: jetson-xavier-nx, )" + cam + R"(}}
  - {name: det-1, kind: detector, node: cam1, params: {device: jetson-xavier-nx, profile: topologies/devices.yaml}}
  - {name: cam-right, kind: region-camera, node: cam2, params: {crop: [384, 0, 384, 576], detector: det-2,
              device: jetson-nano, )" + cam + R"(}}
  - {name: det-2, kind: detector, node: cam2, params: {device: jetson-nano, profile: topologies/devices.yaml}}
links:
  - { from: cam1, to: server, bandwidth_mbps: 16, latency_ms: 2 }
  - { from: cam2, to: server, bandwidth_mbps: 16, latency_ms: 2 }
  - { from: cam1, to: cam2, bandwidth_mbps: 80, latency_ms: 1 }
)";
}

size_t live_outputs_said(const std::string& output) {
  std::smatch m;
  return std::regex_search(output, m, std::regex(R"(scheduler: (\d+) outputs live)")) ? std::stoul(m[1]) : 0;
}

}  // namespace

TEST(InputLog, KeepsEachLetterWithItsReceiverAndTimeAndNamesACutRecord) {
  auto dir = temp_dir("input-log-test");
  auto path = dir + "/n.inputs";
  {
    input_log log(path);
    log.received("cam-left", plan_to("cam-left", 3, 1), 1000);
    auto published = plan_to("", 4, 2);
    published.topic = "plans";
    log.received("cam-right", published, 2000);
  }
  auto back = read_input_log(path);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].actor, "cam-left");
  EXPECT_EQ(back[0].in.receiver, "cam-left");
  EXPECT_EQ(back[0].time_ns, 1000);
  EXPECT_EQ(back[0].in.as<msg::remo::SlotPlan>()->slot(), 3u);
  EXPECT_EQ(back[1].in.topic, "plans");
  EXPECT_EQ(back[1].actor, "cam-right");
  EXPECT_EQ(back[1].in.sequence, 2u);
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 3);
  try {
    read_input_log(path);
    FAIL() << "a cut record was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cut short"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(Replay, OutputsCompareInOrderAndAPublishHeardTwiceCountsOnce) {
  std::vector<recorded_input> recorded = {{1, "cam-left", plan_to("cam-left", 1, 1)},
                                          {2, "cam-right", plan_to("cam-right", 1, 2)},
                                          {3, "cam-left", plan_to("cam-left", 2, 3)}};
  auto published = plan_to("", 9, 4);
  published.topic = "plans";
  recorded.push_back({4, "a", published});
  recorded.push_back({4, "b", published});
  auto live = live_outputs(recorded, "scheduler");
  ASSERT_EQ(live.size(), 4u);
  EXPECT_EQ(live[3].to, "topic:plans");
  auto c = compare_outputs(live, live);
  EXPECT_TRUE(c.same());
  auto other = live;
  other[2] = {"cam-left", plan_to("cam-left", 7, 3)};
  c = compare_outputs(live, other);
  EXPECT_FALSE(c.same());
  EXPECT_EQ(c.identical, 2u);
  EXPECT_NE(c.first_difference.find("#3"), std::string::npos) << c.first_difference;
  other = live;
  other.pop_back();
  EXPECT_FALSE(compare_outputs(live, other).same());  // one the replay never sent
  other = live;
  other.push_back(live[0]);
  EXPECT_TRUE(compare_outputs(live, other).same());  // sent after the live receivers stopped
}

TEST(Replay, AReplayedSchedulerDecidesAsItDidLiveAndAnotherPolicyDoesNot) {
  cwd_guard in_source(source_dir());  // the topology's profile path
  auto dir = temp_dir("replay-test");
  auto topology = write_temp("replay-test.yaml", remo_pair("remo"));
  auto run = troupe_cli("run " + topology + " --record " + dir);
  ASSERT_EQ(run.status, 0) << run.output;
  ASSERT_TRUE(std::filesystem::exists(dir + "/topology.yaml"));

  auto replay = troupe_cli("replay " + dir + " --only region-scheduler --settle 1");
  EXPECT_EQ(replay.status, 0) << replay.output;
  EXPECT_NE(replay.output.find("the same decisions"), std::string::npos) << replay.output;
  EXPECT_GE(live_outputs_said(replay.output), 6u) << replay.output;  // plans for both cameras, slot after slot

  std::ofstream(dir + "/topology.yaml") << remo_pair("bandwidth-prior");  // another scheduler, same inputs
  auto other = troupe_cli("replay " + dir + " --only scheduler --settle 1");
  EXPECT_EQ(other.status, 1) << other.output;
  EXPECT_NE(other.output.find("first difference #"), std::string::npos) << other.output;
  EXPECT_EQ(troupe_cli("replay " + dir + " --only nobody").status, 2);
  std::filesystem::remove_all(dir);
}
