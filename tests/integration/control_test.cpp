// `troupe ctl` against a running deployment whose server knows every identity: the
// CLI, as a person runs it, lists, spawns, stops and kills through the nodes' own
// control requests, and says why when it cannot (issue 21, item 5).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <regex>

#include "actors/systems.hpp"
#include "actors/runtime/deploy/control.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/deploy/permissions.hpp"
#include "actors/runtime/node.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

const std::string pipeline = R"(deployment: ctl
runtime: { heartbeat_ms: 200, heartbeat_misses: 5 }
nodes: [{name: cams}, {name: edge}]
actors:
  - {name: cam, kind: camera, node: cams, params: {source: synthetic, fps: 4, detector: det, sink: sink}}
  - {name: det, kind: detector, node: edge}
  - {name: sink, kind: sink, node: edge}
)";

nats_server_options authorised(const deployment_credentials& creds) {
  nats_server_options o;
  o.authorization = authorization_block(creds);
  return o;
}

// The pipeline's nodes in this process, and `troupe ctl` run beside them.
class controlled_deployment {
 public:
  controlled_deployment()
      : file_(write_temp("ctl.yaml", pipeline)),
        topo_(*load_topology(file_, builtin_kinds()).topo),
        creds_(make_credentials(topo_, builtin_kinds())),
        dir_(std::string(::testing::TempDir()) + "/troupe-ctl-test"),
        server_(authorised(creds_)) {
    std::filesystem::remove_all(dir_);
    write_credentials(creds_, dir_);
    for (auto& n : topo_.nodes) {
      nodes_.push_back(std::make_unique<node>(
          node_config_for(topo_, n.name, server_.url(), 0, builtin_kinds(), creds_.find(n.name))));
      for (auto& a : topo_.actors_on(n.name))
        EXPECT_TRUE(nodes_.back()->spawn(a.name, a.kind, a.args)) << a.name;
    }
    driver_ = std::make_unique<node>(node_config_for(topo_, controller_identity, server_.url(), 0, builtin_kinds(),
                                                     creds_.find(controller_identity)));
    EXPECT_TRUE(eventually([&] { return driver_->host_of("det") && driver_->host_of("cam"); }, 10s));
  }
  ~controlled_deployment() { std::filesystem::remove_all(dir_); }

  // `troupe ctl` as `identity` (the operator's by default); it stops listening once it heard
  // every node, so the longer limit costs only a loaded machine.
  command_result ctl(const std::string& args, const std::string& identity = operator_identity, int listen_s = 10) {
    return troupe_cli("ctl " + file_ + " --nats " + server_.url() + " --credentials " +
                      credential_file(dir_, identity) + " --listen " + std::to_string(listen_s) + " " + args);  // a loaded CI machine may take more than the 2 s default to hear every node
  }
  node& driver() { return *driver_; }

 private:
  std::string file_;
  topology topo_;
  deployment_credentials creds_;
  std::string dir_;
  nats_server server_;
  std::vector<std::unique_ptr<node>> nodes_;
  std::unique_ptr<node> driver_;
};

bool has(const command_result& r, const std::string& text) {
  return r.output.find(text) != std::string::npos;
}

}  // namespace

TEST(Control, ListsEveryNodeWithItsActors) {
  controlled_deployment d;
  auto r = d.ctl("list");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(\ncams +up +.*\bcam\b)"))) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex(R"(\nedge +up +.*\bdet\b.*\bsink\b)"))) << r.output;
}

TEST(Control, SpawnsAndStopsAnActorAndSaysWhyWhenItCannot) {
  controlled_deployment d;
  auto r = d.ctl("spawn sink late-sink --node edge --param final_wait_ms=0");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "node edge: spawned")) << r.output;
  EXPECT_TRUE(eventually([&] { return d.driver().host_of("late-sink") == std::optional<std::string>("edge"); }));

  r = d.ctl("spawn sink late-sink --node edge");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "the name 'late-sink' is taken on node edge")) << r.output;
  r = d.ctl("spawn sink other --node nowhere");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "no node 'nowhere' in ")) << r.output;
  r = d.ctl("spawn no-such-kind other --node edge");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "no actor kind 'no-such-kind'")) << r.output;
  r = d.ctl("spawn sink other --node edge --param final_wait_ms=-5");  // the kind's own bounds, checked there
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "node edge refused: ")) << r.output;
  EXPECT_EQ(d.ctl("spawn sink other --node edge --param no-equals-sign").status, 2);

  r = d.ctl("stop late-sink");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "node edge: stopping")) << r.output;
  EXPECT_TRUE(eventually([&] { return !d.driver().host_of("late-sink"); }));
  r = d.ctl("stop late-sink");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "no actor 'late-sink' is running")) << r.output;
}

TEST(Control, AKilledNodeIsDeclaredDownByTheOthers) {
  controlled_deployment d;
  auto r = d.ctl("kill-node cams");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(has(r, "node cams: killing node cams")) << r.output;
  EXPECT_TRUE(eventually([&] {
    for (auto& [name, why] : d.driver().down_nodes())
      if (name == "cams")
        return why.find("no heartbeat") != std::string::npos;  // silence, not a goodbye
    return false;
  }, 10s));
  r = d.ctl("kill-node cams", operator_identity, 2);  // a node that died is never heard: no need to wait long
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "node 'cams' is not running")) << r.output;
  EXPECT_EQ(d.ctl("kill-node " + std::string(controller_identity), operator_identity, 2).status, 1);  // the run's own controller
  EXPECT_TRUE(d.driver().running());
}

TEST(Control, OnlyTheOperatorsIdentityControls) {
  controlled_deployment d;
  auto r = d.ctl("stop det", "edge");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(has(r, "is the identity of 'edge', not of troupe-ctl")) << r.output;
  EXPECT_TRUE(d.driver().host_of("det"));
}

TEST(Control, ParamsAreOneYamlMapWithTypedValues) {
  EXPECT_EQ(control::params_yaml({"fps=4", "source=synthetic", "sizes=[1, 2]"}),
            "{fps: 4, source: synthetic, sizes: [1, 2]}");
  EXPECT_EQ(control::params_yaml({}), "{}");
  EXPECT_THROW(control::params_yaml({"fps"}), std::invalid_argument);
  EXPECT_THROW(control::params_yaml({"fps=1", "fps=2"}), std::invalid_argument);
}
