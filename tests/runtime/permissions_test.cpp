// Who may publish and subscribe where (permissions_for), the checks on references that
// draw those connections, the plausibility of announcements, and the credential files.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "actors/systems.hpp"
#include "actors/runtime/bus/announcement_check.hpp"
#include "actors/runtime/bus/announcement_effect.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/runtime/file_output.hpp"
#include "test_support.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;

namespace {

// Two pipelines: cam-1 → det-1 → sink-1 across cams/edge, and cam-2 → det-2 → sink-2 on other.
const std::string two_pipelines = R"(deployment: sec
nodes: [{name: cams}, {name: edge}, {name: other}]
actors:
  - {name: cam-1, kind: camera, node: cams, params: {source: synthetic, detector: det-1, sink: sink-1}}
  - {name: det-1, kind: detector, node: edge}
  - {name: sink-1, kind: sink, node: edge}
  - {name: cam-2, kind: camera, node: other, params: {source: synthetic, detector: det-2, sink: sink-2}}
  - {name: det-2, kind: detector, node: other}
  - {name: sink-2, kind: sink, node: other}
)";

topology parsed(const std::string& text) {
  auto r = parse_topology(text, "t.yaml", builtin_kinds());
  EXPECT_TRUE(r.errors.empty()) << (r.errors.empty() ? "" : r.errors[0].to_string());
  return *r.topo;
}

const identity_rules& of(const std::vector<identity_rules>& all, const std::string& who) {
  auto i = std::find_if(all.begin(), all.end(), [&](auto& r) { return r.identity == who; });
  EXPECT_NE(i, all.end()) << who;
  return *i;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> problems(const std::string& text) {
  std::vector<std::string> out;
  for (auto& e : parse_topology(text, "t.yaml", builtin_kinds()).errors)
    out.push_back(e.to_string());
  return out;
}

letter announcement(message_ptr body, const std::string& node) {
  letter l;
  l.type = body->GetTypeName();
  l.sender = "node/" + node;
  l.sender_node = node;
  l.body = std::move(body);
  return l;
}

}  // namespace

TEST(Permissions, ANodeSendsOnlyWithinItsPipelineAndReadsOnlyItsOwnInboxes) {
  auto rules = permissions_for(parsed(two_pipelines), builtin_kinds());
  auto& cams = of(rules, "cams");
  EXPECT_FALSE(has(cams.publish.deny, actor_subject("sec", "det-1")));  // its camera's detector
  EXPECT_FALSE(has(cams.publish.deny, actor_subject("sec", "sink-1")));
  EXPECT_TRUE(has(cams.publish.deny, actor_subject("sec", "det-2")));   // the other pipeline
  EXPECT_TRUE(has(cams.publish.deny, actor_subject("sec", "sink-2")));
  EXPECT_TRUE(has(cams.subscribe.deny, actor_subject("sec", "det-1")));  // hosted elsewhere: not its frames
  EXPECT_FALSE(has(cams.subscribe.deny, actor_subject("sec", "cam-1")));
  EXPECT_TRUE(has(cams.publish.allow, sys_subject("sec", "*", "cams")));  // its own announcements only
  EXPECT_FALSE(has(cams.publish.allow, "troupe.sec.sys.>"));
  EXPECT_TRUE(has(cams.subscribe.allow, reply_wildcard("sec", "cams")));
  EXPECT_FALSE(has(cams.subscribe.allow, "troupe.sec.r.>"));
}

TEST(Permissions, OnlyTheControllerSendsToNodeControllers) {
  auto rules = permissions_for(parsed(two_pipelines), builtin_kinds());
  for (auto node : {"cams", "edge", "other"}) {
    EXPECT_TRUE(has(of(rules, node).publish.deny, actor_subject("sec", "node/edge"))) << node;
    EXPECT_EQ(has(of(rules, node).subscribe.deny, actor_subject("sec", "node/edge")), std::string(node) != "edge");
  }
  for (auto id : {controller_identity, operator_identity}) {  // the run's and a person's `troupe ctl`
    auto& controller = of(rules, id);
    EXPECT_FALSE(has(controller.publish.deny, actor_subject("sec", "node/edge"))) << id;
    EXPECT_TRUE(has(controller.publish.deny, actor_subject("sec", "cam-1"))) << id;  // it hosts no actor
  }
  auto& monitor = of(rules, monitor_identity);
  EXPECT_EQ(monitor.publish.deny, std::vector<std::string>{">"});
  EXPECT_EQ(monitor.subscribe.allow, std::vector<std::string>{"troupe.sec.>"});
}

TEST(Permissions, ASpawnersNodeControlsAndItsTargetsReachItsPipeline) {
  auto topo = parsed(R"(deployment: r
nodes: [{name: head}, {name: gpu-1}, {name: far}]
actors:
  - {name: place, kind: placement, node: head, params: {cluster: "gpu-1:jetson:1", profile: )" +
                     troupe::testing::source_dir() + R"(/topologies/devices.yaml}}
  - {name: src, kind: query-source, node: head, params: {source: synthetic, models: m, sink: sink}}
  - {name: sink, kind: sink, node: head}
  - {name: lonely, kind: sink, node: far}
)");
  EXPECT_EQ(controllers_of(topo, builtin_kinds()),
            (std::vector<std::string>{controller_identity, operator_identity, "head"}));
  auto rules = permissions_for(topo, builtin_kinds());
  EXPECT_FALSE(has(of(rules, "head").publish.deny, actor_subject("r", "node/gpu-1")));
  EXPECT_TRUE(has(of(rules, "far").publish.deny, actor_subject("r", "node/gpu-1")));
  // Replicas spawned on gpu-1 answer the sink of the pipeline their spawner serves.
  EXPECT_FALSE(has(of(rules, "gpu-1").publish.deny, actor_subject("r", "sink")));
  EXPECT_TRUE(has(of(rules, "gpu-1").publish.deny, actor_subject("r", "lonely")));
}

TEST(Permissions, AReferenceMustNameAnActorOfTheExpectedKind) {
  auto head = std::string("deployment: d\nnodes: [{name: n}]\nactors:\n");
  auto cycle = problems(head + "  - {name: cam-1, kind: camera, node: n, params: {source: synthetic, detector: cam-1, "
                               "sink: s}}\n  - {name: s, kind: sink, node: n}\n");
  ASSERT_EQ(cycle.size(), 1u);
  EXPECT_NE(cycle[0].find("t.yaml:4:"), std::string::npos) << cycle[0];
  EXPECT_NE(cycle[0].find("detector 'cam-1' is a camera, not a detector"), std::string::npos) << cycle[0];
  auto dangling = problems(head + "  - {name: cam-1, kind: camera, node: n, params: {source: synthetic, detector: "
                                  "ghost, sink: s}}\n  - {name: s, kind: sink, node: n}\n");
  ASSERT_EQ(dangling.size(), 1u);
  EXPECT_NE(dangling[0].find("detector names unknown actor 'ghost'"), std::string::npos) << dangling[0];
  EXPECT_TRUE(problems(head + "  - {name: s, kind: sink, node: n}\n  - {name: r, kind: region-scheduler, node: n}\n")
                  .empty());
}

TEST(Permissions, TroupesOwnIdentitiesAreNotNodeNames) {
  auto found = problems("deployment: d\nnodes: [{name: troupe-run}]\n");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("reserved"), std::string::npos) << found[0];
}

TEST(AnnouncementCheck, ANodeSpeaksOnlyForItselfAndItsOwnActors) {
  directory dir("me");
  dir.hello("edge", 1, {"det-1"}, 0);
  dir.hello("cams", 2, {"cam-1"}, 0);
  auto down = std::make_shared<msg::ActorDown>();
  down->set_actor("det-1");
  down->set_node("edge");
  EXPECT_FALSE(check_announcement(announcement(down, "edge"), "edge", dir, 0, 1));
  // The same news on another node's subject, or from a node that does not host it.
  EXPECT_EQ(check_announcement(announcement(down, "edge"), "cams", dir, 0, 1), refusal::forged_sender);
  auto claimed = std::make_shared<msg::ActorDown>(*down);
  claimed->set_node("cams");
  EXPECT_EQ(check_announcement(announcement(claimed, "cams"), "cams", dir, 0, 1), refusal::not_its_actor);
  auto hb = std::make_shared<msg::NodeHeartbeat>();
  hb->set_node("edge");
  EXPECT_EQ(check_announcement(announcement(hb, "cams"), "cams", dir, 0, 1), refusal::forged_sender);
  EXPECT_EQ(check_announcement(announcement(hb, "edge"), "", dir, 0, 1), refusal::forged_sender);
}

TEST(AnnouncementCheck, ANodeDownForANodeHeardFromRecentlyIsRefused) {
  constexpr int64_t ms = 1000000;
  directory dir("me");
  dir.hello("edge", 1, {}, 0);
  auto gone = std::make_shared<msg::NodeDown>();
  gone->set_node("edge");
  EXPECT_EQ(check_announcement(announcement(gone, "cams"), "cams", dir, 500 * ms, 1000 * ms), refusal::live_node);
  EXPECT_FALSE(check_announcement(announcement(gone, "cams"), "cams", dir, 1500 * ms, 1000 * ms));
  EXPECT_FALSE(check_announcement(announcement(gone, "edge"), "edge", dir, 0, 1000 * ms));  // its own shutdown
}

TEST(Credentials, FilesArePrivateAndReadBack) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "troupe-creds-test";
  std::filesystem::remove_all(dir);
  auto creds = make_credentials(parsed(two_pipelines), builtin_kinds());
  ASSERT_EQ(creds.identities.size(), 6u);  // three nodes, the controller, the operator, the monitor
  EXPECT_NE(creds.identities[0].password, creds.identities[1].password);
  EXPECT_EQ(creds.identities[0].password.size(), 32u);
  auto written = write_credentials(creds, dir.string());
  ASSERT_EQ(written.size(), 7u);  // and nats-server.conf
  for (auto& f : written) {
    struct stat st {};
    ASSERT_EQ(::stat(f.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << f;
  }
  auto back = read_credential(credential_file(dir.string(), "edge"));
  EXPECT_EQ(back.user, "sec:edge");
  EXPECT_EQ(back.deployment, "sec");
  EXPECT_EQ(back.password, creds.find("edge")->password);
  ::chmod(credential_file(dir.string(), "edge").c_str(), 0644);
  EXPECT_THROW(read_credential(credential_file(dir.string(), "edge")), std::runtime_error);
  auto block = authorization_block(creds);
  EXPECT_NE(block.find("\"sec:troupe-run\""), std::string::npos);
  EXPECT_NE(block.find("\"troupe.sec.a.node|edge\""), std::string::npos);
}

// Under nats.tls each identity carries the deployment's CA and a client certificate of
// its own; the server's certificate names the hosts the nodes dial.
TEST(Credentials, UnderTlsEachIdentityCarriesItsCertificate) {
  auto topo = parsed("nats: {url: 'nats://nats.example:4222', tls: {hostname: bus.example}}\n" + two_pipelines);
  auto creds = make_credentials(topo, builtin_kinds());
  auto& ca = creds.identities.front().tls_ca;
  ASSERT_FALSE(ca.empty());
  EXPECT_TRUE(signed_by(creds.tls_server.cert, ca));
  EXPECT_TRUE(key_matches(creds.tls_server.cert, creds.tls_server.key));
  EXPECT_EQ(alt_names(creds.tls_server.cert), (std::vector<std::string>{"bus.example", "nats.example"}));
  for (auto& id : creds.identities) {
    EXPECT_EQ(id.tls_ca, ca);
    EXPECT_TRUE(signed_by(id.tls_cert, ca)) << id.identity;
    EXPECT_EQ(common_name(id.tls_cert), id.user);
    EXPECT_FALSE(key_matches(id.tls_cert, creds.identities.front().tls_key) && &id != &creds.identities.front());
  }
  auto dir = std::filesystem::path(::testing::TempDir()) / "troupe-creds-tls-test";
  std::filesystem::remove_all(dir);
  auto written = write_credentials(creds, dir.string());
  EXPECT_EQ(written.size(), 10u);  // ca.pem, server.pem, server.key, nats-server.conf, six identities
  auto back = read_credential(credential_file(dir.string(), "edge"));
  EXPECT_EQ(back.tls_cert, creds.find("edge")->tls_cert);
  EXPECT_EQ(back.tls_key, creds.find("edge")->tls_key);
  std::ifstream conf(dir / "nats-server.conf");
  std::string text((std::istreambuf_iterator<char>(conf)), {});
  EXPECT_NE(text.find("verify: true"), std::string::npos);
  EXPECT_NE(text.find((std::filesystem::canonical(dir) / "server.key").string()), std::string::npos);
}

TEST(Credentials, AnotherAuthoritysCertificateIsNotSignedByThisOne) {
  auto ours = make_authority("ours"), theirs = make_authority("theirs");
  auto client = issue_client(theirs, "sec:edge");
  EXPECT_TRUE(signed_by(client.cert, theirs.ca.cert));
  EXPECT_FALSE(signed_by(client.cert, ours.ca.cert));
  EXPECT_FALSE(key_matches(client.cert, issue_client(theirs, "sec:edge").key));
  EXPECT_EQ(alt_names(issue_server(ours, {"localhost", "127.0.0.1"}).cert),
            (std::vector<std::string>{"localhost", "127.0.0.1"}));
  EXPECT_THROW(issue_server(ours, {}), std::invalid_argument);
}

TEST(Topology, TlsWithTheEmbeddedServerNeedsPerNodeIdentities) {
  auto r = parse_topology("nats: {auth: none, tls: true}\n" + two_pipelines, "t.yaml", builtin_kinds());
  ASSERT_FALSE(r.topo);
  EXPECT_NE(r.errors.front().message.find("needs per-node identities"), std::string::npos);
  auto bad = parse_topology("nats: {tls: maybe}\n" + two_pipelines, "t.yaml", builtin_kinds());
  ASSERT_FALSE(bad.topo);
  EXPECT_EQ(bad.errors.front().pos.line, 1);
  EXPECT_TRUE(parse_topology("nats: {tls: true}\n" + two_pipelines, "t.yaml", builtin_kinds()).topo);
}

// What a plausible announcement does: the directory's update and what the hearer owes.
TEST(Announcements, AnAcceptedAnnouncementUpdatesTheDirectoryAndSaysWhatToDo) {
  using H = announcement_effect::hello;
  directory dir("me");
  dir.hello("edge", 7, {"det"}, 0);
  auto down = std::make_shared<msg::ActorDown>();
  down->set_actor("det");
  down->set_node("edge");
  down->set_reason("crash: boom");
  auto crashed = apply_announcement(announcement(down, "edge"), dir, "me", 0);
  ASSERT_EQ(crashed.losses.size(), 1u);
  EXPECT_EQ(crashed.losses[0].actor, "det");
  ASSERT_TRUE(crashed.failure);
  EXPECT_EQ(crashed.failure->reason, "crash: boom");
  EXPECT_FALSE(dir.host_of("det"));
  auto about_me = std::make_shared<msg::NodeDown>();
  about_me->set_node("me");
  EXPECT_EQ(apply_announcement(announcement(about_me, "edge"), dir, "me", 0).say, H::ask);  // correct them
  auto ask = std::make_shared<msg::NodeHello>();
  ask->set_node("edge");
  ask->set_incarnation(7);
  ask->set_want_reply(true);
  EXPECT_EQ(apply_announcement(announcement(ask, "edge"), dir, "me", 0).say, H::answer);
  auto stranger = std::make_shared<msg::NodeHeartbeat>();
  stranger->set_node("cams");
  EXPECT_EQ(apply_announcement(announcement(stranger, "cams"), dir, "me", 0).say, H::ask);  // unknown: everyone says hello
}

// A secret is written owner-only and never through a link planted where it goes.
TEST(Credentials, ASecretIsWrittenPrivatelyAndNotThroughALink) {
  namespace fs = std::filesystem;
  auto dir = fs::path(::testing::TempDir()) / "private-file";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_private_file((dir / "node.creds").string(), "secret");
  EXPECT_EQ(fs::status(dir / "node.creds").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  fs::create_symlink(dir / "elsewhere", dir / "planted.creds");
  EXPECT_THROW(write_private_file((dir / "planted.creds").string(), "secret"), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir / "elsewhere"));
}
