// `troupe dashboard` against a running deployment, through its HTTP API as the page
// reads it (issue 21, item 2): every node and actor of the topology, the camera's flow
// to its detector with a rate, the detector's statistics, and a node that dies turning
// down with its actors. (The page itself in headless Chromium is the next step.)
#include <gtest/gtest.h>

#include <httplib.h>

#include <future>

#include <nlohmann/json.hpp>

#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "actors/systems.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

const std::string pipeline = R"(deployment: dash
runtime: { heartbeat_ms: 200, heartbeat_misses: 5 }
nodes: [{name: cams}, {name: edge}]
actors:
  - {name: cam, kind: camera, node: cams, params: {source: synthetic, fps: 5, detector: det, sink: sink}}
  - {name: det, kind: detector, node: edge, params: {model: mog2}}
  - {name: sink, kind: sink, node: edge}
)";

nlohmann::json find(const nlohmann::json& list, const std::string& name) {
  for (auto& e : list)
    if (e["name"] == name)
      return e;
  return {};
}

}  // namespace

TEST(Dashboard, ShowsEveryNodeActorAndFlowAndANodeThatDies) {
  auto file = write_temp("dash.yaml", pipeline);
  auto topo = *load_topology(file, builtin_kinds()).topo;
  nats_server server;
  std::map<std::string, std::unique_ptr<node>> nodes;
  for (auto& n : topo.nodes) {
    nodes[n.name] = std::make_unique<node>(node_config_for(topo, n.name, server.url(), 0, builtin_kinds()));
    for (auto& a : topo.actors_on(n.name))
      ASSERT_TRUE(nodes[n.name]->spawn(a.name, a.kind, a.args)) << a.name;
  }
  int port = free_loopback_port();
  auto board = std::async(std::launch::async, [&] {
    return troupe_cli("dashboard " + file + " --nats " + server.url() + " --port " + std::to_string(port) +
                      " --duration 18");
  });
  httplib::Client client("127.0.0.1", port);
  nlohmann::json state;
  auto get_state = [&] {
    auto res = client.Get("/api/state");
    if (!res || res->status != 200)
      return false;
    state = nlohmann::json::parse(res->body);
    return true;
  };
  auto flowing = [&] {
    if (!get_state())
      return false;
    for (auto& e : state["edges"])
      if (e["from"] == "cam" && e["to"] == "det" && e["per_s"].get<double>() > 0)
        return find(state["actors"], "det").contains("latest");
    return false;
  };
  EXPECT_TRUE(eventually(flowing, 15s)) << state.dump(1);
  EXPECT_EQ(state["deployment"], "dash");
  for (auto& n : {"cams", "edge"})
    EXPECT_EQ(find(state["nodes"], n)["state"], "up") << n;
  for (auto& a : {"cam", "det", "sink"})
    EXPECT_EQ(find(state["actors"], a)["state"], "up") << a;
  EXPECT_TRUE(find(state["actors"], "det")["latest"].contains("ReplicaStats")) << state.dump(1);
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<title>Troupe dashboard</title>"), std::string::npos);

  nodes["cams"]->crash();  // silent, as a kill -9: the edge declares it down
  EXPECT_TRUE(eventually([&] { return get_state() && find(state["nodes"], "cams")["state"] == "down"; }, 10s))
      << state.dump(1);
  EXPECT_EQ(find(state["actors"], "cam")["state"], "down");
  EXPECT_EQ(find(state["nodes"], "edge")["state"], "up");
  auto r = board.get();
  EXPECT_EQ(r.status, 0) << r.output;
}
