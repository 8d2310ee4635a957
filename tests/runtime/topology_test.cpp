#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>

#include "actors/common/crowd_file.hpp"
#include "actors/systems.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;

namespace {

const std::string head = "deployment: d\nnodes:\n  - name: n1\n  - name: n2\n";

std::vector<std::string> problems(const std::string& text) {
  auto result = parse_topology(text, "t.yaml", builtin_kinds());
  std::vector<std::string> out;
  for (auto& e : result.errors)
    out.push_back(e.to_string());
  EXPECT_EQ(result.topo.has_value(), out.empty());
  return out;
}

// Exactly one problem, and it is `expected` (file:line:column: message prefix).
void expect_one(const std::string& text, const std::string& expected) {
  auto found = problems(text);
  ASSERT_EQ(found.size(), 1u) << (found.empty() ? "no problem found" : found[0] + " ...");
  EXPECT_EQ(found[0].substr(0, expected.size()), expected) << found[0];
}

}  // namespace

TEST(Topology, FullFileParses) {
  auto r = load_topology(source_dir() + "/tests/data/full_topology.yaml", builtin_kinds());
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].to_string();
  auto& t = *r.topo;
  EXPECT_EQ(t.deployment, "campus");
  EXPECT_EQ(t.nats.url, "nats://127.0.0.1:4222");
  EXPECT_EQ(t.nats.user, "alice");
  EXPECT_EQ(t.runtime.heartbeat_ms, 250);
  EXPECT_EQ(t.runtime.heartbeat_misses, 6);
  EXPECT_EQ(t.runtime.scheduler, "stealing");
  EXPECT_DOUBLE_EQ(t.runtime.trace_sample, 0.25);
  EXPECT_DOUBLE_EQ(t.runtime.time_scale, 4);
  ASSERT_EQ(t.nodes.size(), 3u);
  ASSERT_EQ(t.actors.size(), 3u);
  EXPECT_EQ(t.actors[0].kind, "camera");
  EXPECT_DOUBLE_EQ(t.actors[0].args.get_double("fps"), 7.5);
  EXPECT_EQ(t.actors[0].args.get_ints("crop"), (std::vector<int64_t>{0, 0, 384, 288}));
  EXPECT_EQ(t.actors[0].pos.line, 23);
  ASSERT_EQ(t.links.size(), 2u);
  EXPECT_DOUBLE_EQ(t.links[0].bandwidth_mbps, 16);
  ASSERT_EQ(t.timeline.size(), 4u);
  EXPECT_EQ(t.timeline[0].what, timeline_event::action::spawn);
  EXPECT_EQ(t.timeline[0].actor.node, "edge-2");
  EXPECT_EQ(t.timeline[3].what, timeline_event::action::restore_node);
  EXPECT_EQ(t.actors_on("server").size(), 1u);
}

TEST(Topology, ShippedTopologiesAreValid) {
  cwd_guard at_root(source_dir());  // their paths are relative to the checkout, where they run
  int checked = 0;
  for (auto& entry : std::filesystem::recursive_directory_iterator(source_dir() + "/topologies")) {
    auto name = entry.path().filename().string();
    if (entry.path().extension() != ".yaml")  // traces/ and other data
      continue;
    if (name.size() >= 12 && name.compare(name.size() - 12, 12, "devices.yaml") == 0) {  // device profiles
      auto profiles = load_device_profiles(entry.path().string());
      EXPECT_TRUE(profiles.errors.empty()) << entry.path() << ": " << profiles.errors[0].to_string();
      continue;
    }
    if (name.size() >= 10 && name.compare(name.size() - 10, 10, "crowd.yaml") == 0) {  // crowds (source: crowd)
      auto crowd = load_crowd(entry.path().string());
      EXPECT_TRUE(crowd.errors.empty()) << entry.path() << ": " << crowd.errors[0].to_string();
      continue;
    }
    // Trained models may be missing (CI trains none): then each problem must name the
    // file and the command that makes it, and there may be no other problem.
    auto r = load_topology(entry.path().string(), builtin_kinds());
    for (auto& e : r.errors)
      EXPECT_NE(e.message.find("does not exist; make it with: "), std::string::npos) << e.to_string();
    ++checked;
  }
  EXPECT_GE(checked, 10);
}

// A bench that sets its own files loads a topology whose paths need not exist yet.
TEST(Topology, InputFilesMayBeLeftToTheSpawnWhenASettingSaysSo) {
  auto text = head + "actors:\n  - {name: d, kind: detector, node: n1, params: {model: no/such/model.pt}}\n";
  auto strict = parse_topology(text, "t.yaml", builtin_kinds());
  ASSERT_EQ(strict.errors.size(), 1u);
  EXPECT_NE(strict.errors[0].message.find("no/such/model.pt does not exist"), std::string::npos)
      << strict.errors[0].to_string();
  auto later = parse_topology(text, "t.yaml", builtin_kinds(), input_files::checked_at_spawn);
  EXPECT_TRUE(later.errors.empty()) << later.errors[0].to_string();
}

TEST(Topology, UnknownKeyAtItsPosition) {
  expect_one(head + "colour: blue\n", "t.yaml:5:1: unknown key 'colour' in the topology");
  expect_one(head + "runtime:\n  heartbeat: 5\n", "t.yaml:6:3: unknown key 'heartbeat' in runtime");
}

TEST(Topology, MissingFields) {
  expect_one("nodes:\n  - name: n1\n", "t.yaml:1:1: the topology needs 'deployment'");
  expect_one("deployment: d\n", "t.yaml:1:1: the topology needs 'nodes'");
  expect_one(head + "actors:\n  - name: s\n    node: n1\n", "t.yaml:6:5: actor 's' needs 'kind'");
}

TEST(Topology, MistypedFields) {
  expect_one(head + "runtime:\n  heartbeat_ms: soon\n",
             "t.yaml:6:17: 'heartbeat_ms' in runtime must be an integer");
  expect_one(head + "links:\n  - { from: n1, to: n2, bandwidth_mbps: fast }\n",
             "t.yaml:6:41: 'bandwidth_mbps' in link must be a number");
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1, params: { report_interval_ms: often } }\n",
             "t.yaml:6:68: actor 's': parameter 'report_interval_ms' must be an integer");
  expect_one(head + "nodes: 3\n", "t.yaml:5:1: duplicate key 'nodes'");
}

TEST(Topology, BandwidthTracesAreReadWhenParsed) {
  auto trace = write_temp("bw.csv", "0,10\n5,oops\n");
  expect_one(head + "links:\n  - { from: n1, to: n2, bandwidth_trace: " + trace + " }\n",
             "t.yaml:6:42: link bandwidth_trace: " + trace + ":2: expected 'time_s,bandwidth_mbps' or 'time_s,bandwidth_mbps,latency_ms'");
}

TEST(Topology, TraceOffsetsOnLinksAndInterfaces) {
  auto trace = write_temp("bw-offset.csv", "0,10\n5,20\n");
  auto r = parse_topology("deployment: d\nnodes:\n"
                          "  - { name: a, uplink: { tbf: \"rate 1gbit burst 16kbit latency 10ms\", bandwidth_trace: " +
                              trace + ", trace_offset_s: 3 } }\n  - { name: b }\n"
                              "links:\n  - { from: a, to: b, bandwidth_trace: " + trace + ", trace_offset_s: 7.5 }\n",
                          "t.yaml", builtin_kinds());
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].to_string();
  EXPECT_DOUBLE_EQ(r.topo->nodes[0].uplink->trace_offset_s, 3);
  EXPECT_DOUBLE_EQ(r.topo->links[0].trace_offset_s, 7.5);
  expect_one(head + "links:\n  - { from: n1, to: n2, latency_ms: 5, trace_offset_s: 2 }\n",
             "t.yaml:6:56: link trace_offset_s needs a bandwidth_trace");
  expect_one(head + "links:\n  - { from: n1, to: n2, bandwidth_trace: " + trace + ", trace_offset_s: -2 }\n",
             "t.yaml:6:" + std::to_string(60 + trace.size()) + ": 'trace_offset_s' must not be negative");
}

TEST(Topology, NodeInterfacesAreTcTbfAsThePapersWroteIt) {
  auto r = parse_topology("deployment: d\nnodes:\n"
                          "  - { name: a, uplink: \"rate 1gbit burst 16kbit latency 10ms\" }\n"
                          "  - { name: b, downlink: { tbf: \"rate 24mbit burst 32kb limit 100kb\" } }\n"
                          "links:\n  - { from: a, to: b, latency_ms: 30 }\n",
                          "t.yaml", builtin_kinds());
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].to_string();
  auto& nodes = r.topo->nodes;
  ASSERT_TRUE(nodes[0].uplink);
  EXPECT_DOUBLE_EQ(nodes[0].uplink->tbf.rate_bytes_s, 125e6);
  EXPECT_FALSE(nodes[0].downlink);
  ASSERT_TRUE(nodes[1].downlink);
  EXPECT_DOUBLE_EQ(nodes[1].downlink->tbf.limit_bytes, 102400);
  EXPECT_DOUBLE_EQ(r.topo->links[0].bandwidth_mbps, 0);  // latency only
}

TEST(Topology, InterfaceAndLinkMistakesAtTheirPosition) {
  expect_one("deployment: d\nnodes:\n  - { name: a, uplink: \"rate 1gbit burst 16kbit\" }\n",
             "t.yaml:3:24: node 'a' uplink: tbf: exactly one of 'latency' and 'limit' is required");
  expect_one("deployment: d\nnodes:\n  - { name: a, downlink: { tbf: \"rate 1mbit burst 1k limit 1k\", rate: 5 } }\n",
             "t.yaml:3:65: unknown key 'rate' in node 'a' downlink");
  expect_one(head + "links:\n  - { from: n1, to: n2 }\n",
             "t.yaml:6:5: a link needs bandwidth_mbps, bandwidth_trace or latency_ms");
}

TEST(Topology, TimeScaleMustBePositive) {
  expect_one(head + "runtime: { time_scale: 0 }\n", "t.yaml:5:24: 'time_scale' must be positive");
}

TEST(Topology, ATraceFileNamesItsFormat) {
  expect_one(head + "runtime: { trace_file: run.json }\n",
             "t.yaml:5:24: 'trace_file' must end in .trace (binary records) or .jsonl (JSON lines)");
  EXPECT_TRUE(problems(head + "runtime: { trace_file: run.trace }\n").empty());
}

TEST(Topology, WorkersAreBounded) {  // 100 000 once started 32 039 threads
  expect_one(head + "runtime: { workers: 100000 }\n", "t.yaml:5:21: 'workers' must be at most 1024");
}

TEST(Topology, NonFiniteNumbersAreRefused) {
  expect_one(head + "runtime: { duration_s: .nan }\n", "t.yaml:5:24: 'duration_s' must be a finite number");
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1, params: { slo_ms: .inf } }\n",
             "t.yaml:6:56: actor 's': parameter 'slo_ms' must be a finite number");
}

TEST(Topology, NumbersOutsideTheirKindsRangeAreRefused) {
  const std::string cam = "actors:\n  - { name: c, kind: camera, node: n1, params: { source: synthetic, sink: s, "
                          "detector: d, ";
  const std::string rest = " } }\n  - { name: s, kind: sink, node: n1 }\n  - { name: d, kind: detector, node: n1 }\n";
  expect_one(head + cam + "fps: 0" + rest, "t.yaml:6:96: actor 'c': parameter 'fps' must be between 0.01 and 1000, not 0");
  expect_one(head + cam + "jpeg_quality: 101" + rest,
             "t.yaml:6:105: actor 'c': parameter 'jpeg_quality' must be between 0 and 100, not 101");
  expect_one(head + "actors:\n  - { name: d, kind: detector, node: n1, params: { workers: 100000 } }\n",
             "t.yaml:6:61: actor 'd': parameter 'workers' must be between 1 and 1024, not 100000");
  EXPECT_TRUE(problems(head + cam + "fps: 25, jpeg_quality: 100" + rest).empty());
}

TEST(Topology, AListWhereAReferenceGoesIsAnErrorNotACrash) {  // found by fuzz/topology_fuzz.cpp
  expect_one(head + "actors:\n  - { name: c, kind: camera, node: n1, params: { source: synthetic, detector: d, "
                    "sink: [0, 1] } }\n  - { name: d, kind: detector, node: n1 }\n",
             "t.yaml:6:88: actor 'c': parameter 'sink' must be a string");
}

TEST(Topology, AParameterNamedByAListIsAnErrorNotACrash) {  // found by fuzz/topology_fuzz.cpp
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1, params: { [0, 1]: 2 } }\n",
             "t.yaml:6:48: actor 's': a parameter's name must be a word");
}

TEST(Topology, RestartPoliciesForNodesAndActors) {
  auto r = parse_topology("deployment: d\nruntime: { suspicion_ms: 750 }\nnodes:\n  - name: n1\n"
                          "  - { name: n2, restart: never }\n"
                          "  - { name: n3, restart: { policy: transient, max_restarts: 5, period_s: 30, backoff_ms: 50 } }\n"
                          "actors:\n  - { name: s, kind: sink, node: n1, restart: permanent }\n"
                          "  - { name: t, kind: sink, node: n1 }\n",
                          "t.yaml", builtin_kinds());
  ASSERT_TRUE(r.topo) << r.errors[0].to_string();
  auto& t = *r.topo;
  using P = restart_spec::policy;
  EXPECT_EQ(t.runtime.suspicion_ms, 750);
  EXPECT_EQ(t.nodes[0].restart.when, P::permanent);  // nodes' default
  EXPECT_EQ(t.nodes[1].restart.when, P::never);
  EXPECT_EQ(t.nodes[2].restart.when, P::transient);
  EXPECT_EQ(t.nodes[2].restart.max_restarts, 5);
  EXPECT_EQ(t.nodes[2].restart.period_s, 30);
  EXPECT_EQ(t.nodes[2].restart.backoff_ms, 50);
  EXPECT_EQ(t.actors[0].restart.when, P::permanent);
  EXPECT_EQ(t.actors[1].restart.when, P::never);  // actors' default
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1, restart: always }\n",
             "t.yaml:6:47: actor 's' restart must be permanent, transient or never");
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1, restart: [never] }\n",
             "t.yaml:6:47: actor 's' restart must be permanent, transient or never");
  expect_one(head + "timeline:\n  - { at_s: 1, spawn: { name: s, kind: sink, node: n1, restart: permanent } }\n",
             "t.yaml:6:65: restart: only actors of the topology are supervised");
  expect_one("deployment: d\nnodes:\n  - { name: n1, restart: { policy: never, tries: 2 } }\n",
             "t.yaml:3:43: unknown key 'tries' in node 'n1' restart");
}

TEST(Topology, KindParametersAreChecked) {
  expect_one(head + "actors:\n  - { name: c, kind: camera, node: n1, params: { source: synthetic, sink: s } }\n"
                    "  - { name: s, kind: sink, node: n1 }\n",
             "t.yaml:6:48: actor 'c': kind 'camera' needs parameter 'detector'");
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1, params: { colour: 1 } }\n",
             "t.yaml:6:48: actor 's': unknown parameter 'colour' for kind 'sink'");
  expect_one(head + "actors:\n  - { name: s, kind: blender, node: n1 }\n",
             "t.yaml:6:22: unknown kind 'blender' (known kinds: camera, detector, ");  // the rest grows with the systems
}

TEST(Topology, DanglingNames) {
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n9 }\n",
             "t.yaml:6:5: actor 's' names unknown node 'n9'");
  expect_one(head + "links:\n  - { from: n1, to: n7, bandwidth_mbps: 1 }\n",
             "t.yaml:6:5: link names unknown node 'n7'");
  expect_one(head + "timeline:\n  - { at_s: 1, stop: ghost }\n",
             "t.yaml:6:5: stop names unknown actor 'ghost'");
  expect_one(head + "timeline:\n  - { at_s: 1, kill_node: n5 }\n",
             "t.yaml:6:5: kill_node names unknown node 'n5'");
}

TEST(Topology, DuplicateNames) {
  expect_one("deployment: d\nnodes:\n  - name: n1\n  - name: n1\n",
             "t.yaml:4:5: duplicate node name 'n1' (first defined at line 3)");
  expect_one(head + "actors:\n  - { name: s, kind: sink, node: n1 }\n  - { name: s, kind: sink, node: n2 }\n",
             "t.yaml:7:5: duplicate actor name 's' (first defined at line 6)");
}

TEST(Topology, NodesAreKilledOnlyWhenUpAndRestoredOnlyWhenDown) {
  expect_one(head + "timeline:\n  - { at_s: 1, restore_node: n1 }\n",
             "t.yaml:6:5: restore_node 'n1' at 1.000000 s, but it is not down");
  expect_one(head + "timeline:\n  - { at_s: 2, kill_node: n1 }\n  - { at_s: 1, kill_node: n1 }\n",
             "t.yaml:6:5: kill_node 'n1' at 2.000000 s, but it is already down");
  EXPECT_TRUE(problems(head + "timeline:\n  - { at_s: 2, restore_node: n1 }\n  - { at_s: 1, kill_node: n1 }\n").empty());
}

TEST(Topology, TimelineEventNeedsExactlyOneAction) {
  expect_one(head + "timeline:\n  - { at_s: 1 }\n",
             "t.yaml:6:5: a timeline event needs exactly one of");
}

TEST(Topology, CollectsEveryProblem) {
  auto found = problems(head + "colour: 1\nactors:\n  - { name: s, kind: sink, node: n9 }\n"
                                "links:\n  - { from: n1, to: n8, bandwidth_mbps: x }\n");
  EXPECT_EQ(found.size(), 4u);
}

TEST(Topology, EmptyFile) {
  expect_one("", "t.yaml:1:1: empty topology");
}

TEST(Topology, YamlSyntaxErrorHasPosition) {
  auto found = problems("deployment: d\nnodes: [a, b\n");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].substr(0, 7), "t.yaml:");
}

TEST(Topology, InvalidNamesAndNatsSettings) {
  expect_one("deployment: d\nnodes:\n  - name: a.b\n", "t.yaml:3:11: invalid name 'a.b'");
  expect_one(head + "nats: { url: http://x }\n", "t.yaml:5:14: nats url must be");
  expect_one(head + "nats: { user: u, password: p, token: t }\n", "t.yaml:5:7: nats: give either");
}

TEST(TroupeValidate, ReportsProblemsAndFailsWithoutStarting) {
  auto path = write_temp("bad_topology.yaml", head + "actors:\n  - { name: s, kind: sink, node: nowhere }\n");
  for (auto verb : {"validate ", "run "}) {
    auto r = troupe_cli(verb + path);
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.output.find(path + ":6:5: actor 's' names unknown node 'nowhere'"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("embedded nats-server"), std::string::npos) << "started despite errors";
  }
}

TEST(Topology, AssigningParamsLeavesTheOtherCopiesAlone) {
  auto original = params::from_yaml("{ source: a.avi, fps: 5 }");
  auto copy = original;
  auto changed = YAML::Clone(copy.yaml());
  changed["fps"] = 25;
  copy = params(changed);
  EXPECT_EQ(copy.get_int("fps"), 25);
  EXPECT_EQ(original.get_int("fps"), 5);  // YAML::Node's assignment would have made this 25
}

// Modes and baselines are read once into a type; a wrong name lists the choices.
TEST(Choice, ParsesNamesOnceAndListsTheChoicesOnError) {
  enum class colour { red, green };
  choice<colour> colours("colour", {{"red", colour::red}, {"green", colour::green}});
  EXPECT_EQ(colours.parse("green"), colour::green);
  EXPECT_STREQ(colours.name(colour::red), "red");
  try {
    colours.parse("blue");
    FAIL() << "blue was taken";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "colour 'blue' is not one of red, green");
  }
}
