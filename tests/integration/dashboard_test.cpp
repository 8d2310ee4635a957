// `troupe dashboard` against a running deployment (issue 21, item 2): through its HTTP
// API as the page reads it — every node and actor of the topology, the camera's flow to
// its detector with a rate, the detector's statistics, and a node that dies turning down
// with its actors — and the page itself in headless Chromium (Debian's
// chromium-headless-shell): the graph with every node and actor, the camera's thumbnail
// with its boxes, the node that dies drawn down, and a screenshot the docs show.
#include <gtest/gtest.h>

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

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
  - {name: sink, kind: sink, node: cams}  # its results cross the bus: the page draws their boxes
)";

nlohmann::json find(const nlohmann::json& list, const std::string& name) {
  for (auto& e : list)
    if (e["name"] == name)
      return e;
  return {};
}

// The pipeline on its two nodes, and `troupe dashboard` watching it.
class Dashboard : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = write_temp("dash.yaml", pipeline);
    auto topo = *load_topology(file_, builtin_kinds()).topo;
    for (auto& n : topo.nodes) {
      nodes_[n.name] = std::make_unique<node>(node_config_for(topo, n.name, server_.url(), 0, builtin_kinds()));
      for (auto& a : topo.actors_on(n.name))
        ASSERT_TRUE(nodes_[n.name]->spawn(a.name, a.kind, a.args)) << a.name;
    }
    board_ = std::async(std::launch::async, [this] {
      return troupe_cli("dashboard " + file_ + " --nats " + server_.url() + " --port " + std::to_string(port_) +
                        " --duration 18");
    });
  }
  void TearDown() override {
    auto r = board_.get();
    EXPECT_EQ(r.status, 0) << r.output;
  }

  bool get_state() {
    auto res = client_.Get("/api/state");
    if (!res || res->status != 200)
      return false;
    state_ = nlohmann::json::parse(res->body);
    return true;
  }
  // The camera's frames reach the detector, and the detector's statistics the bus.
  bool flowing() {
    if (!get_state())
      return false;
    for (auto& e : state_["edges"])
      if (e["from"] == "cam" && e["to"] == "det" && e["per_s"].get<double>() > 0)
        return find(state_["actors"], "det").contains("latest");
    return false;
  }
  // Kills the camera's node as a kill -9 would (silent: the edge declares it down) and
  // waits for the dashboard to know.
  bool crash_cams() {
    nodes_["cams"]->crash();
    return eventually([&] { return get_state() && find(state_["nodes"], "cams")["state"] == "down"; }, 10s);
  }

  std::string file_;
  nats_server server_;
  std::map<std::string, std::unique_ptr<node>> nodes_;
  int port_ = free_loopback_port();
  std::future<command_result> board_;
  httplib::Client client_{"127.0.0.1", port_};
  nlohmann::json state_;
};

// Headless Chromium loads the page, lets it run `ms` of its time (its refreshes), and
// prints the DOM as it then is; with `screenshot`, saves the page there instead.
std::string chromium(const std::string& url, int ms, const std::string& screenshot = "") {
  auto out = std::string(::testing::TempDir()) + "/dashboard-dom.html";
  std::filesystem::remove(out);
  auto what = screenshot.empty() ? "--dump-dom " + url + " > " + out : "--screenshot=" + screenshot + " " + url;
  auto r = run_command("chromium-headless-shell --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1000"
                       " --virtual-time-budget=" + std::to_string(ms) + " " + what + " 2>/dev/null");
  EXPECT_EQ(r.status, 0) << "chromium-headless-shell (scripts/setup.sh installs it): " << r.output;
  std::stringstream dom;
  dom << std::ifstream(out).rdbuf();
  return dom.str();
}

}  // namespace

TEST_F(Dashboard, ShowsEveryNodeActorAndFlowAndANodeThatDies) {
  EXPECT_TRUE(eventually([&] { return flowing(); }, 15s)) << state_.dump(1);
  EXPECT_EQ(state_["deployment"], "dash");
  for (auto& n : {"cams", "edge"})
    EXPECT_EQ(find(state_["nodes"], n)["state"], "up") << n;
  for (auto& a : {"cam", "det", "sink"})
    EXPECT_EQ(find(state_["actors"], a)["state"], "up") << a;
  EXPECT_TRUE(find(state_["actors"], "det")["latest"].contains("ReplicaStats")) << state_.dump(1);
  auto page = client_.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<title>Troupe dashboard</title>"), std::string::npos);
  auto cam = state_["cameras"][0];
  EXPECT_EQ(cam["name"], "cam");
  auto jpeg = client_.Get("/api/region.jpg?camera=cam&region=" + cam["regions"][0]["region"].dump());
  ASSERT_TRUE(jpeg);
  EXPECT_EQ(jpeg->status, 200);
  EXPECT_EQ(jpeg->body.substr(0, 2), "\xff\xd8");  // a JPEG's start of image
  EXPECT_EQ(client_.Get("/api/region.jpg?camera=nobody&region=0")->status, 404);

  ASSERT_TRUE(crash_cams()) << state_.dump(1);
  EXPECT_EQ(find(state_["actors"], "cam")["state"], "down");
  EXPECT_EQ(find(state_["nodes"], "edge")["state"], "up");
}

TEST_F(Dashboard, ThePageInHeadlessChromiumDrawsTheDeploymentAndANodeGoingDown) {
  ASSERT_TRUE(eventually([&] { return flowing() && !state_["cameras"][0]["boxes"].empty(); }, 15s))
      << state_.dump(1);
  auto url = "http://127.0.0.1:" + std::to_string(port_) + "/";
  auto dom = chromium(url, 3000);
  EXPECT_NE(dom.find("data-ready=\"1\""), std::string::npos) << dom;
  for (auto& n : {"cams", "edge"})
    EXPECT_NE(dom.find("class=\"node up\" id=\"node-" + std::string(n) + "\""), std::string::npos) << n << dom;
  for (auto& a : {"cam", "det", "sink"}) {
    EXPECT_NE(dom.find("id=\"actor-" + std::string(a) + "\""), std::string::npos) << a;
    EXPECT_NE(dom.find("id=\"row-" + std::string(a) + "\""), std::string::npos) << a;
  }
  auto thumb = dom.find("id=\"camera-cam\"");
  ASSERT_NE(thumb, std::string::npos) << dom;
  EXPECT_NE(dom.find("/api/region.jpg?camera=cam", thumb), std::string::npos);
  EXPECT_NE(dom.find("class=\"box\"", thumb), std::string::npos);

  auto shot = binary_dir() + "/reports/dashboard.png";
  std::filesystem::create_directories(binary_dir() + "/reports");
  std::filesystem::remove(shot);
  chromium(url, 3000, shot);
  ASSERT_TRUE(std::filesystem::exists(shot));
  EXPECT_GT(std::filesystem::file_size(shot), 10'000u);

  ASSERT_TRUE(crash_cams()) << state_.dump(1);
  auto after = chromium(url, 2000);
  EXPECT_NE(after.find("class=\"node down\" id=\"node-cams\""), std::string::npos) << after;
  EXPECT_NE(after.find("class=\"actor down\" id=\"actor-cam\""), std::string::npos) << after;
  EXPECT_NE(after.find("class=\"node up\" id=\"node-edge\""), std::string::npos) << after;
}
