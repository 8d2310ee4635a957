// Down notifications, dead nodes, late joiners and NATS restarts, on a real server.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "actors/systems.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "test_support.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

caf::behavior idle(caf::event_based_actor*, context) {
  return {[](const letter&) {}};
}

caf::behavior fragile(caf::event_based_actor* self, context) {
  return {[=](const letter&) { self->quit(caf::make_error(caf::sec::runtime_error, "boom")); }};
}

std::string down_reason(const std::optional<letter>& l) {
  if (!l || !l->is<msg::ActorDown>())
    return "<no down notification>";
  return l->as<msg::ActorDown>()->reason();
}

// A `troupe node` child process hosting one sink named "victim".
class child_node {
 public:
  child_node(const std::string& url, const std::string& node_name) {
    topology_ = std::string(::testing::TempDir()) + "/liveness_" + node_name + ".yaml";
    std::ofstream(topology_) << "deployment: test\nruntime: { heartbeat_ms: 500, heartbeat_misses: 4 }\n"
                                "nodes:\n  - name: " << node_name << "\nactors:\n"
                                "  - { name: victim, kind: sink, node: " << node_name << " }\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      auto exe = binary_dir() + "/cli/troupe";
      ::execl(exe.c_str(), exe.c_str(), "node", topology_.c_str(), "--node", node_name.c_str(),
              "--nats", url.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~child_node() { kill(SIGTERM); }
  void kill(int sig) {
    if (pid_ > 0) {
      ::kill(pid_, sig);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

 private:
  std::string topology_;
  pid_t pid_ = -1;
};

}  // namespace

TEST(Liveness, KilledNodeProcessIsDeclaredDownWithin3s) {
  nats_server server;
  auto cfg = config_for("watcher", server.url());
  cfg.heartbeat_interval = 500ms;  // the topology defaults
  cfg.heartbeat_misses = 4;
  node a(cfg);
  child_node b(server.url(), "b");
  ASSERT_TRUE(eventually([&] { return a.host_of("victim").has_value(); }, 10s));
  caf::scoped_actor self{a.system()};
  a.monitor("victim", self);
  auto killed = std::chrono::steady_clock::now();
  b.kill(SIGKILL);
  auto down = next_letter(self, 6s);
  auto noticed = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  std::printf("kill -9 noticed after %.2f s\n", noticed);
  EXPECT_NE(down_reason(down).find("no heartbeat"), std::string::npos) << down_reason(down);
  EXPECT_LT(noticed, 3.0);
  ASSERT_EQ(a.down_nodes().size(), 1u);
  EXPECT_EQ(a.down_nodes()[0].first, "b");
  EXPECT_EQ(a.stats().nodes_declared_down, 1u);
}

TEST(Liveness, RemoteActorExitReasons) {
  nats_server server;
  node a(config_for("a", server.url()));
  node b(config_for("b", server.url()));
  ASSERT_TRUE(b.spawn_function("quiet", idle));
  ASSERT_TRUE(b.spawn_function("fragile", fragile));
  ASSERT_TRUE(eventually([&] { return a.host_of("quiet") && a.host_of("fragile"); }));
  caf::scoped_actor self{a.system()};
  a.monitor("quiet", self);
  a.monitor("fragile", self);

  msg::StopRequest stop;
  stop.set_actor("quiet");
  auto ack = a.request("node/b", stop, 3000ms);
  ASSERT_TRUE(ack) << describe(ack.error());
  EXPECT_TRUE(ack->as<msg::Ack>()->ok());
  EXPECT_EQ(down_reason(next_letter(self, 3s)), "stopped");
  auto again = a.request("node/b", stop, 3000ms);  // a retried stop whose first ack was late
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->as<msg::Ack>()->ok());
  EXPECT_EQ(again->as<msg::Ack>()->detail(), "already stopped");
  stop.set_actor("never-there");
  auto refused = a.request("node/b", stop, 3000ms);
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->as<msg::Ack>()->ok());

  ASSERT_FALSE(a.send("fragile", msg::Blob()));
  auto crash = down_reason(next_letter(self, 3s));
  EXPECT_EQ(crash.rfind("crash: ", 0), 0u) << crash;
  EXPECT_NE(crash.find("boom"), std::string::npos) << crash;
  EXPECT_FALSE(a.host_of("fragile"));
}

// OTP's permanent child: a crashed actor is spawned again after its backoff and
// counted; beyond max_restarts within the period the node gives up and it is a crash.
TEST(Liveness, ACrashedActorIsRestartedByItsPolicyUntilItsIntensityIsSpent) {
  kind_registry kinds;
  kinds.add({"fragile", "quits with an error on every letter", {},
             [](node& n, context ctx, const params&) { return n.system().spawn(fragile, std::move(ctx)); }});
  nats_server server;
  auto cfg = config_for("b", server.url());
  cfg.kinds = &kinds;
  node b(cfg);
  node a(config_for("a", server.url()));
  restart_spec policy;
  policy.when = restart_spec::policy::permanent;
  policy.max_restarts = 2;
  policy.backoff_ms = 50;
  ASSERT_TRUE(b.spawn("f", "fragile", {}, policy));
  caf::scoped_actor self{a.system()};
  for (int crash = 1; crash <= 3; ++crash) {
    ASSERT_TRUE(eventually([&] { return a.host_of("f").has_value(); })) << "crash " << crash;
    a.monitor("f", self);
    ASSERT_FALSE(a.send("f", msg::Blob()));
    auto why = down_reason(next_letter(self, 3s));
    if (crash <= 2) {
      EXPECT_EQ(why.rfind("restarting after crash: ", 0), 0u) << why;
    } else {
      EXPECT_EQ(why.rfind("crash: ", 0), 0u) << why;  // given up: the run's failure
      EXPECT_NE(why.find("max_restarts 2"), std::string::npos) << why;
    }
  }
  std::this_thread::sleep_for(300ms);
  EXPECT_FALSE(a.host_of("f"));  // not spawned a third time
  EXPECT_EQ(b.restarts().size(), 2u);
  EXPECT_EQ(a.failures().size(), 1u);  // the restarted crashes are no failures of the run
}

TEST(Liveness, MonitoringAnUnknownActorAnswersAtOnce) {
  nats_server server;
  node a(config_for("a", server.url()));
  caf::scoped_actor self{a.system()};
  a.monitor("never-existed", self);
  EXPECT_EQ(down_reason(next_letter(self, 1s)), "unknown actor");
}

TEST(Liveness, LateJoinerLearnsExistingActors) {
  nats_server server;
  node a(config_for("a", server.url()));
  ASSERT_TRUE(a.spawn_function("early", idle));
  std::this_thread::sleep_for(300ms);
  node c(config_for("c", server.url()));
  EXPECT_TRUE(eventually([&] { return c.host_of("early") == std::optional<std::string>("a"); }));
}

TEST(Liveness, SpawnRequestStartsAKindRemotely) {
  nats_server server;
  node a(config_for("a", server.url()));
  auto cfg = config_for("b", server.url());
  cfg.kinds = &builtin_kinds();
  node b(cfg);
  msg::SpawnRequest req;
  req.set_actor("s1");
  req.set_kind("sink");
  req.set_params_yaml("{report_interval_ms: 500}");
  auto ack = a.request("node/b", req, 3000ms);
  ASSERT_TRUE(ack) << describe(ack.error());
  EXPECT_TRUE(ack->as<msg::Ack>()->ok()) << ack->as<msg::Ack>()->detail();
  EXPECT_TRUE(eventually([&] { return a.host_of("s1") == std::optional<std::string>("b"); }));
  auto again = a.request("node/b", req, 3000ms);  // a retried request is harmless
  ASSERT_TRUE(again);
  EXPECT_EQ(again->as<msg::Ack>()->detail(), "already running");

  req.set_actor("s2");
  req.set_kind("no-such-kind");
  auto refused = a.request("node/b", req, 3000ms);
  ASSERT_TRUE(refused) << describe(refused.error());
  EXPECT_FALSE(refused->as<msg::Ack>()->ok());
  EXPECT_NE(refused->as<msg::Ack>()->detail().find("no kind 'no-such-kind'"), std::string::npos);
}

TEST(Liveness, NodesReconnectAfterNatsServerRestart) {
  nats_server server;
  node a(config_for("a", server.url()));
  node b(config_for("b", server.url()));
  caf::scoped_actor self{b.system()};
  ASSERT_TRUE(b.spawn_function("probe", probe, caf::actor{self}));
  ASSERT_TRUE(eventually([&] { return a.host_of("probe").has_value(); }));
  server.restart();
  ASSERT_TRUE(eventually([&] { return a.connected() && b.connected(); }, 10s));
  bool delivered = false;
  for (int i = 0; i < 50 && !delivered; ++i) {
    a.send("probe", msg::Blob());
    delivered = next_letter(self, 200ms).has_value();
  }
  EXPECT_TRUE(delivered);
  auto reply = a.request("node/b", msg::StopRequest(), 3000ms);  // request/reply works again
  EXPECT_TRUE(reply) << describe(reply.error());
}

// Three nats-servers in a cluster on loopback, the nodes on different ones: when the
// first node's server dies, it moves to the next it lists and the deployment goes on
// (this is how Troupe outgrows one host: NATS's clustering, not its own).
TEST(Liveness, ADeploymentOutlivesOneServerOfANatsCluster) {
  std::vector<int> routes = {free_loopback_port(), free_loopback_port(), free_loopback_port()};
  std::vector<std::unique_ptr<nats_server>> servers;
  for (size_t i = 0; i < routes.size(); ++i) {
    nats_server_options o;
    o.cluster_port = routes[i];
    for (size_t j = 0; j < routes.size(); ++j)
      if (j != i)
        o.routes.push_back(routes[j]);
    servers.push_back(std::make_unique<nats_server>(o));
  }
  auto list = [&](std::vector<int> order) {
    std::string urls;
    for (int i : order)
      urls += (urls.empty() ? "" : ",") + servers[size_t(i)]->url();
    return urls;
  };
  node a(config_for("a", list({0, 1, 2})));
  node b(config_for("b", list({1, 2, 0})));
  caf::scoped_actor self{b.system()};
  ASSERT_TRUE(b.spawn_function("probe", probe, caf::actor{self}));
  ASSERT_TRUE(eventually([&] { return a.host_of("probe").has_value(); }, 10s));  // routed across the cluster
  a.send("probe", msg::Blob());
  ASSERT_TRUE(next_letter(self, 2000ms).has_value());
  servers[0]->stop();  // a's server
  bool delivered = false;
  for (int i = 0; i < 50 && !delivered; ++i) {
    a.send("probe", msg::Blob());
    delivered = next_letter(self, 200ms).has_value();
  }
  EXPECT_TRUE(delivered);
  EXPECT_TRUE(a.connected());
  EXPECT_TRUE(b.down_nodes().empty());  // nobody was declared down
  EXPECT_TRUE(a.down_nodes().empty());
}
