// A foreign client against a running deployment: without credentials it cannot
// connect; with a stolen node's credentials NATS refuses what that node may not do;
// what NATS lets through but the directory finds implausible, the nodes refuse and
// count. The client is plain nats.c and protobuf, none of Troupe's own code.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>

#include <nats/nats.h>

#include "actors/systems.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "test_support.hpp"
#include "troupe/messages/envelope.pb.h"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

const std::string pipeline = R"(deployment: sec
runtime: { heartbeat_ms: 200, heartbeat_misses: 5 }
nodes: [{name: cams}, {name: edge}]
actors:
  - {name: cam, kind: camera, node: cams, params: {source: synthetic, fps: 4, detector: det, sink: sink}}
  - {name: det, kind: detector, node: edge}
  - {name: sink, kind: sink, node: edge}
)";

// nats.c and nothing else: connects, publishes envelopes it builds from the .proto,
// subscribes, and counts what the server refuses it.
class foreign_client {
 public:
  // With `ca`, over TLS trusting it; with `cert` and `key` too, presenting them.
  natsStatus connect(const std::string& url, const std::string& user = {}, const std::string& password = {},
                     const std::string& ca = {}, const std::string& cert = {}, const std::string& key = {}) {
    natsOptions* o = nullptr;
    natsOptions_Create(&o);
    natsOptions_SetURL(o, url.c_str());
    natsOptions_SetAllowReconnect(o, false);
    natsOptions_SetTimeout(o, 2000);
    if (!user.empty())
      natsOptions_SetUserInfo(o, user.c_str(), password.c_str());
    if (!ca.empty()) {
      natsOptions_SetSecure(o, true);
      natsOptions_SetCATrustedCertificates(o, ca.c_str());
    }
    if (!cert.empty())
      natsOptions_SetCertificatesChain(o, cert.c_str(), key.c_str());
    natsOptions_SetErrorHandler(
        o, [](natsConnection*, natsSubscription*, natsStatus s, void* self) {
          if (s == NATS_NOT_PERMITTED)
            ++static_cast<foreign_client*>(self)->denied;
        },
        this);
    auto s = natsConnection_Connect(&nc_, o);
    natsOptions_Destroy(o);
    return s;
  }
  ~foreign_client() {
    if (sub_ != nullptr)
      natsSubscription_Destroy(sub_);
    if (nc_ != nullptr)
      natsConnection_Destroy(nc_);
  }
  natsStatus connect_as(const std::string& url, const credential& who) {
    return connect(url, who.user, who.password, who.tls_ca, who.tls_cert, who.tls_key);
  }
  void publish(const std::string& subject, const google::protobuf::Message& body, const std::string& node,
               const std::string& receiver = {}, const std::string& reply = {}) {
    msg::Envelope e;
    e.set_type(body.GetTypeName());
    e.set_schema_version(envelope_schema_version);
    e.set_sender("node/" + node);
    e.set_sender_node(node);
    if (!receiver.empty())
      e.set_receiver(receiver);
    e.set_reply_subject(reply);
    e.set_correlation_id(reply.empty() ? 0 : 1);
    e.set_payload(body.SerializeAsString());
    auto bytes = e.SerializeAsString();
    natsConnection_Publish(nc_, subject.c_str(), bytes.data(), static_cast<int>(bytes.size()));
    natsConnection_FlushTimeout(nc_, 2000);
  }
  void subscribe(const std::string& subject) {
    natsConnection_Subscribe(
        &sub_, nc_, subject.c_str(),
        [](natsConnection*, natsSubscription*, natsMsg* m, void* self) {
          ++static_cast<foreign_client*>(self)->received;
          natsMsg_Destroy(m);
        },
        this);
    natsConnection_FlushTimeout(nc_, 2000);
  }
  std::atomic<int> denied{0}, received{0};

 private:
  natsConnection* nc_ = nullptr;
  natsSubscription* sub_ = nullptr;
};

// One TCP connection relayed to a server on loopback, keeping what the client sent:
// what anyone on the path would see.
class tcp_relay {
 public:
  explicit tcp_relay(int server_port) : server_port_(server_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(0);
    socklen_t len = sizeof(a);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    ::listen(listener_, 1);
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { relay(); });
  }
  ~tcp_relay() {
    done_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  std::string seen() {
    std::lock_guard<std::mutex> lock(mtx_);
    return seen_;
  }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
  }
  void relay() {
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0)
      return;
    int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(server_port_);
    if (::connect(server, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      char buf[65536];
      while (!done_ && ::poll(fds, 2, 50) >= 0) {
        if (fds[0].revents & (POLLIN | POLLHUP)) {
          auto n = ::read(client, buf, sizeof(buf));
          if (n <= 0 || ::write(server, buf, static_cast<size_t>(n)) != n)
            break;
          std::lock_guard<std::mutex> lock(mtx_);
          seen_.append(buf, static_cast<size_t>(n));
        }
        if (fds[1].revents & (POLLIN | POLLHUP)) {
          auto n = ::read(server, buf, sizeof(buf));
          if (n <= 0 || ::write(client, buf, static_cast<size_t>(n)) != n)
            break;
        }
      }
    }
    ::close(server);
    ::close(client);
  }
  int server_port_, listener_ = -1, port_ = 0;
  std::atomic<bool> done_{false};
  std::thread thread_;
  std::mutex mtx_;
  std::string seen_;
};

enum class wire { plain, tls };

// The pipeline on a server that knows every identity, each node in this process.
class secured_deployment {
 public:
  explicit secured_deployment(nats_settings::auth_mode auth = nats_settings::auth_mode::identities,
                              wire w = wire::plain)
      : topo_(*parse_topology(w == wire::tls ? "nats: {tls: true}\n" + pipeline : pipeline, "sec.yaml",
                              builtin_kinds()).topo),
        creds_(make_credentials(topo_, builtin_kinds())),
        server_(options(auth)) {
    auto who = [&](const std::string& id) { return auth == nats_settings::auth_mode::none ? nullptr : creds_.find(id); };
    for (auto& n : topo_.nodes) {
      nodes_.push_back(std::make_unique<node>(node_config_for(topo_, n.name, server_.url(), 0, builtin_kinds(), who(n.name))));
      for (auto& a : topo_.actors_on(n.name))
        EXPECT_TRUE(nodes_.back()->spawn(a.name, a.kind, a.args)) << a.name;
    }
    driver_ = std::make_unique<node>(
        node_config_for(topo_, controller_identity, server_.url(), 0, builtin_kinds(), who(controller_identity)));
  }
  // Once the deployment has settled, `thief` connects with the identity of node `id`.
  bool stolen_by(foreign_client& thief, const std::string& id) {
    auto& who = *creds_.find(id);
    return eventually([&] { return settled(); }, 10s) && thief.connect_as(url(), who) == NATS_OK;
  }
  const credential& identity(const std::string& id) const { return *creds_.find(id); }
  int port() const { return server_.port(); }
  std::string url() const { return server_.url(); }
  node& driver() { return *driver_; }
  node& at(const std::string& name) {
    for (auto& n : nodes_)
      if (n->name() == name)
        return *n;
    throw std::runtime_error("no node " + name);
  }
  bool settled() {
    return driver_->host_of("det") && driver_->host_of("cam") && driver_->host_of("sink") &&
           at("cams").host_of("det").has_value();
  }

 private:
  nats_server_options options(nats_settings::auth_mode auth) const {
    nats_server_options o;
    if (auth == nats_settings::auth_mode::identities)
      o.authorization = authorization_block(creds_);
    if (topo_.nats.tls.on) {
      o.tls = creds_.tls_server;
      o.tls_ca = creds_.identities.front().tls_ca;
    }
    return o;
  }
  topology topo_;
  deployment_credentials creds_;
  nats_server server_;
  std::vector<std::unique_ptr<node>> nodes_;
  std::unique_ptr<node> driver_;
};

uint64_t refused(const node& n, refusal why) {
  return n.stats().refused[static_cast<size_t>(why)];
}

}  // namespace

TEST(Security, WithoutItsCredentialsNoClientConnects) {
  secured_deployment d;
  foreign_client anonymous, guessing;
  EXPECT_NE(anonymous.connect(d.url()), NATS_OK);
  EXPECT_NE(guessing.connect(d.url(), "sec:edge", "not-the-password"), NATS_OK);
}

TEST(Security, AStolenNodeIdentityMayNotControlReadOthersFramesOrSpeakForOthers) {
  secured_deployment d;
  foreign_client thief;
  ASSERT_TRUE(d.stolen_by(thief, "cams"));

  msg::SpawnRequest spawn;  // a camera of its own onto the detector's node
  spawn.set_actor("intruder");
  spawn.set_kind("sink");
  thief.publish(actor_subject("sec", "node/edge"), spawn, "cams", "node/edge");
  msg::StopRequest stop;
  stop.set_actor("det");
  thief.publish(actor_subject("sec", "node/edge"), stop, "cams", "node/edge");
  msg::ActorDown down;  // the detector's death, in its node's name
  down.set_actor("det");
  down.set_node("edge");
  down.set_reason("crash: forged");
  thief.publish(sys_subject("sec", "actor_down", "edge"), down, "edge");
  thief.subscribe(actor_subject("sec", "det"));  // the camera's frames
  EXPECT_TRUE(eventually([&] { return thief.denied >= 4; }, 5s)) << thief.denied;

  std::this_thread::sleep_for(1s);  // the camera sends frames meanwhile
  EXPECT_EQ(thief.received, 0);
  EXPECT_FALSE(d.driver().host_of("intruder"));
  EXPECT_EQ(d.driver().host_of("det"), std::optional<std::string>("edge"));
  EXPECT_TRUE(d.driver().failures().empty());
}

TEST(Security, WhatNatsLetsThroughTheNodesFindImplausibleAndCount) {
  secured_deployment d;
  foreign_client thief;
  ASSERT_TRUE(d.stolen_by(thief, "cams"));
  msg::ActorDown down;  // on its own subject, about an actor it does not host
  down.set_actor("det");
  down.set_node("cams");
  down.set_reason("crash: forged");
  thief.publish(sys_subject("sec", "actor_down", "cams"), down, "cams");
  msg::NodeDown gone;  // a live node declared dead
  gone.set_node("edge");
  gone.set_reason("forged");
  thief.publish(sys_subject("sec", "node_down", "cams"), gone, "cams");
  ASSERT_TRUE(eventually([&] {
    return refused(d.driver(), refusal::not_its_actor) >= 1 && refused(d.driver(), refusal::live_node) >= 1;
  }));
  EXPECT_EQ(thief.denied, 0);  // NATS let both through: the directory refused them
  EXPECT_EQ(d.driver().host_of("det"), std::optional<std::string>("edge"));
  EXPECT_TRUE(d.driver().down_nodes().empty());
  EXPECT_TRUE(d.driver().failures().empty());
}

TEST(Security, TheSinkRefusesResultsThatCannotBeReal) {
  secured_deployment d;
  foreign_client thief;
  ASSERT_TRUE(d.stolen_by(thief, "cams"));  // its camera may send to the sink: NATS lets these through
  msg::Detections nameless;  // what a truncated envelope that still parses looks like
  nameless.set_frame_index(1);
  thief.publish(actor_subject("sec", "sink"), nameless, "cams", "sink");
  msg::Detections phantom;
  phantom.set_camera("cam");
  phantom.set_frame_index(7);
  phantom.set_capture_time_unix_ns(1);  // 1.8e12 ms of "latency"
  for (int i = 0; i < 70; ++i)
    thief.publish(actor_subject("sec", "sink"), phantom, "cams", "sink");
  ASSERT_TRUE(eventually([&] {
    return refused(d.at("edge"), refusal::missing_field) == 1 && refused(d.at("edge"), refusal::out_of_range) == 70;
  })) << refused(d.at("edge"), refusal::out_of_range);
  EXPECT_EQ(thief.denied, 0);
}

// Topics are open to every identity of the deployment: what arrives on replica-stats is
// checked by the sink before it reaches the report.
TEST(Security, TheSinkRefusesStatsInAnotherNameOrWithNaN) {
  secured_deployment d;
  foreign_client thief;
  ASSERT_TRUE(d.stolen_by(thief, "cams"));
  msg::ReplicaStats theirs;  // in the detector's name
  theirs.set_replica("det");
  theirs.set_busy_ms(1);
  thief.publish(topic_subject("sec", "replica-stats"), theirs, "cams");
  msg::ReplicaStats nan;  // in its own name, not a number
  nan.set_replica("node/cams");
  nan.set_busy_ms(std::numeric_limits<double>::quiet_NaN());
  thief.publish(topic_subject("sec", "replica-stats"), nan, "cams");
  EXPECT_TRUE(eventually([&] {
    return refused(d.at("edge"), refusal::forged_sender) == 1 && refused(d.at("edge"), refusal::out_of_range) == 1;
  })) << refused(d.at("edge"), refusal::forged_sender) << " " << refused(d.at("edge"), refusal::out_of_range);
  EXPECT_EQ(thief.denied, 0);
}

// 600 k valid envelopes of a type the detector does not handle were once counted
// nowhere: each kind declares what it acts on, and its node refuses the rest.
TEST(Security, ATypeAnActorDoesNotHandleIsRefusedAndCounted) {
  secured_deployment d;
  foreign_client thief;
  ASSERT_TRUE(d.stolen_by(thief, "cams"));  // its camera may send to the detector
  msg::Detections wrong;  // a sink's type, sent to the detector
  wrong.set_camera("cam");
  for (int i = 0; i < 50; ++i)
    thief.publish(actor_subject("sec", "det"), wrong, "cams", "det");
  msg::Blob blob;
  thief.publish(actor_subject("sec", "det"), blob, "cams", "det");
  ASSERT_TRUE(eventually([&] { return refused(d.at("edge"), refusal::unhandled_type) == 51; }))
      << refused(d.at("edge"), refusal::unhandled_type);
  EXPECT_EQ(thief.denied, 0);
  EXPECT_EQ(d.driver().host_of("det"), std::optional<std::string>("edge"));
}

TEST(Security, OnAnOpenBusControlFromANodeThatIsNoControllerIsRefused) {
  secured_deployment d(nats_settings::auth_mode::none);
  ASSERT_TRUE(eventually([&] { return d.settled(); }, 10s));
  foreign_client stranger;
  ASSERT_EQ(stranger.connect(d.url()), NATS_OK);
  msg::SpawnRequest spawn;
  spawn.set_actor("intruder");
  spawn.set_kind("sink");
  stranger.publish(actor_subject("sec", "node/edge"), spawn, "cams", "node/edge");
  ASSERT_TRUE(eventually([&] { return refused(d.at("edge"), refusal::not_controller) == 1; }));
  EXPECT_FALSE(d.driver().host_of("intruder"));
}

// Even the controller's own spawn request may not have an actor write outside the
// output folder (runtime.output_dir, by default the node's working directory).
TEST(Security, ASpawnedActorWritesOnlyInsideTheOutputFolder) {
  secured_deployment d;
  ASSERT_TRUE(eventually([&] { return d.settled(); }, 10s));
  auto ask = [&](const std::string& name, const std::string& report) {
    msg::SpawnRequest spawn;
    spawn.set_actor(name);
    spawn.set_kind("sink");
    spawn.set_params_yaml("{report: '" + report + "'}");
    msg::Ack ack;
    auto reply = d.driver().request("node/edge", spawn, 5s);
    if (reply)
      if (auto a = reply->as<msg::Ack>())
        ack = *a;
    return ack;
  };
  auto here = std::filesystem::current_path().filename().string();
  // "../<here>" is the folder itself as a prefix: its PREFIX.json would land beside it.
  for (std::string outside : {std::string("/tmp/troupe-outside/report"), std::string("../troupe-outside/report"),
                              "../" + here, std::string(".")}) {
    auto ack = ask("intruder", outside);
    EXPECT_FALSE(ack.ok()) << outside;
    EXPECT_NE(ack.detail().find("outside the output folder"), std::string::npos) << ack.detail();
  }
  EXPECT_EQ(refused(d.at("edge"), refusal::outside_output), 4u);
  EXPECT_FALSE(d.at("edge").host_of("intruder"));
  msg::SpawnRequest odd;  // a list where a file name goes: refused by the kind, the controller lives on
  odd.set_actor("odd");
  odd.set_kind("sink");
  odd.set_params_yaml("{report: [a, b]}");
  auto reply = d.driver().request("node/edge", odd, 5s);
  ASSERT_TRUE(reply);
  ASSERT_TRUE(reply->as<msg::Ack>());
  EXPECT_FALSE(reply->as<msg::Ack>()->ok());
  EXPECT_TRUE(ask("guest", "sec-output/report").ok());  // inside it, the sink is spawned
}

// Under `nats.tls` the server takes only clients with a certificate of the deployment's
// authority, even with the right password, and the deployment runs as before.
TEST(Security, UnderTlsOnlyTheDeploymentsCertificatesConnect) {
  secured_deployment d(nats_settings::auth_mode::identities, wire::tls);
  ASSERT_TRUE(eventually([&] { return d.settled(); }, 10s));
  EXPECT_TRUE(eventually([&] { return d.at("edge").stats().received >= 8; }, 10s)) << "frames flow over TLS";
  auto& cams = d.identity("cams");
  auto other = make_authority("elsewhere");
  auto forged = issue_client(other, cams.user);
  foreign_client plain, no_cert, wrong_ca, owner;
  EXPECT_NE(plain.connect(d.url(), cams.user, cams.password), NATS_OK);
  EXPECT_NE(no_cert.connect(d.url(), cams.user, cams.password, cams.tls_ca), NATS_OK);
  EXPECT_NE(wrong_ca.connect(d.url(), cams.user, cams.password, cams.tls_ca, forged.cert, forged.key), NATS_OK);
  EXPECT_EQ(owner.connect_as(d.url(), cams), NATS_OK);  // the control: the same identity with its certificate
  EXPECT_TRUE(d.driver().failures().empty());
  EXPECT_TRUE(d.driver().down_nodes().empty());
}

// What crosses the wire: a marker in a payload is in the clear without TLS, and
// nowhere in the bytes with it.
TEST(Security, UnderTlsTheWireCarriesNoPlaintext) {
  for (auto w : {wire::plain, wire::tls}) {
    secured_deployment d(nats_settings::auth_mode::identities, w);
    ASSERT_TRUE(eventually([&] { return d.settled(); }, 10s));
    tcp_relay tap(d.port());
    foreign_client cams;
    ASSERT_EQ(cams.connect_as(tap.url(), d.identity("cams")), NATS_OK);
    msg::Blob marked;
    marked.set_data("troupe-marker-1f2e3d");
    cams.publish(topic_subject("sec", "tapped"), marked, "cams");
    auto seen = tap.seen();
    EXPECT_GT(seen.size(), 100u);
    bool clear = seen.find("troupe-marker-1f2e3d") != std::string::npos;
    EXPECT_EQ(clear, w == wire::plain) << (w == wire::tls ? "TLS" : "plain");
    EXPECT_EQ(seen.find(d.identity("cams").password) != std::string::npos, w == wire::plain);
  }
}
