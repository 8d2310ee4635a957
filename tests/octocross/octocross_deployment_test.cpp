// OctoCross's scheduler in real deployments (NATS, actors, an emulated crowd): load
// moves from an overloaded node to idle ones along measured links, plans from anyone
// but the replica's scheduler are refused, and a node that leaves gets nothing more.
#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actors/octocross/core/cluster_recording.hpp"
#include "test_support.hpp"

using namespace troupe::testing;

namespace {

// c1 is busy (2 entries/s, 3–5 s in view: ~8 objects a frame, 40 objects/s at 5 fps);
// its neighbours see few. A device computes 20 objects/s (50 ms each).
// `scheduler`: more of the scheduler's params, "key: value, …, ".
std::string topology(const std::string& name, const std::string& extra, const std::string& scheduler = "") {
  auto crowd = write_temp(name + "-crowd.yaml",
                          "seed: 4\ncameras: [ {name: c1, entry_rate: 2}, {name: c2}, {name: c3} ]\n"
                          "edges: [[c1, c2], [c2, c3]]\ndwell_s: [3, 5]\nlag_s: [1, 2]\nexit_probability: 0.9\n");
  auto profile = write_temp(name + "-devices.yaml",
                            "devices:\n  - name: cam\n    busy_power_w: 1\n    models:\n"
                            "      - { model: det, fixed_ms: 2, ms_per_megapixel: 0 }\n"
                            "      - { model: reid, fixed_ms: 0, ms_per_megapixel: 5000 }\n");
  auto prefix = std::string(::testing::TempDir()) + "/" + name;
  std::string t = "deployment: " + name + "\nruntime: { duration_s: 14 }\n"
                  "nodes: [ { name: server }, { name: n1 }, { name: n2 }, { name: n3 } ]\nactors:\n"
                  "  - { name: sink, kind: videojam-sink, node: server, params: { report: " + prefix + ", slo_ms: 200 } }\n"
                  "  - { name: sched, kind: octocross-scheduler, node: server, params: { nodes: \"reid-c1, reid-c2, reid-c3\", "
                  "function: reid, edges: \"reid-c1-reid-c2, reid-c2-reid-c3\", " + scheduler + "report: " + prefix + " } }\n";
  for (std::string c : {"c1", "c2", "c3"}) {
    auto node = "n" + c.substr(1);
    t += "  - { name: " + c + ", kind: videojam-camera, node: " + node + ", params: { source: crowd, crowd: " + crowd +
         ", fps: 5, sink: sink, next: det-" + c + " } }\n"
         "  - { name: det-" + c + ", kind: videojam-function, node: " + node + ", params: { function: emulated, model: det, "
         "work: frame, balancer: none, next: reid-" + c + ", device: cam, profile: " + profile + " } }\n"
         "  - { name: reid-" + c + ", kind: videojam-function, node: " + node + ", params: { function: emulated, model: reid, "
         "type: reid, balancer: plan, scheduler: sched, probe_s: 1, device: cam, profile: " + profile + " } }\n";
  }
  return write_temp(name + ".yaml", t + extra);
}

nlohmann::json read_json(const std::string& file) {
  std::ifstream in(file);
  return in ? nlohmann::json::parse(in) : nlohmann::json();
}

}  // namespace

TEST(OctoCrossDeployment, TheSchedulerMovesLoadFromTheOverloadedNodeAndRefusesOtherSenders) {
  auto rogue = "  - { name: rogue, kind: octocross-scheduler, node: server, params: { nodes: reid-c1, function: reid, "
               "policy: none } }\n";
  auto r = troupe_cli("run " + topology("octo-move", rogue));
  ASSERT_EQ(r.status, 0) << r.output;
  auto dir = std::string(::testing::TempDir());
  auto report = read_json(dir + "/octo-move.json");
  auto sched = read_json(dir + "/octo-move-scheduler.json");
  ASSERT_FALSE(report.is_null()) << r.output;
  ASSERT_FALSE(sched.is_null()) << r.output;
  auto& replicas = report["replicas"];
  EXPECT_GT(sched["decisions"].get<int>(), 0) << r.output;
  EXPECT_GT(sched["on_overload"].get<int>(), 0) << r.output;  // before the 15 s period: c1 is overloaded now
  EXPECT_GT(replicas["reid-c1"]["plans_applied"].get<int>(), 0) << r.output;
  EXPECT_GT(replicas["reid-c1"]["plans_rejected"].get<int>(), 0) << r.output;  // the rogue's
  EXPECT_GT(replicas["reid-c1"]["offloaded"].get<int>(), 0) << r.output;
  EXPECT_GT(replicas["reid-c2"]["received"].get<int>() + replicas["reid-c3"]["received"].get<int>(), 0) << r.output;
  EXPECT_EQ(report["overall"]["sent_to_lost"].get<int>(), 0) << r.output;
  EXPECT_GT(report["overall"]["objects_delivered"].get<int>(), 0) << r.output;
}

TEST(OctoCrossDeployment, ANodeThatLeavesGetsNothingAfterOneTick) {
  auto r = troupe_cli("run " + topology("octo-leave", "timeline:\n  - { at_s: 8, stop: reid-c2 }\n  - { at_s: 8, stop: reid-c3 }\n"));
  auto dir = std::string(::testing::TempDir());
  auto report = read_json(dir + "/octo-leave.json");
  auto sched = read_json(dir + "/octo-leave-scheduler.json");
  ASSERT_FALSE(report.is_null()) << r.output;
  ASSERT_FALSE(sched.is_null()) << r.output;
  auto& c1 = report["replicas"]["reid-c1"];
  EXPECT_GT(c1["offloaded"].get<int>(), 0) << r.output;  // it did offload before they left
  EXPECT_EQ(c1["dropped_lost"].get<int>(), 0) << r.output;
  EXPECT_LE(c1["kept_for_down"].get<int>(), 5) << r.output;  // at most a second of frames routed their way
  EXPECT_GE(sched["events"]["masked"].get<int>(), 2) << r.output;
}

// bench octocross keeps the first N camera nodes (the scheduler's nodes and edges trimmed
// to match), runs each policy, and reads the scheduler's report beside the sink's.
TEST(OctoCrossDeployment, BenchKeepsTheFirstCamerasAndComparesWithNoOffloading) {
  auto dir = std::string(::testing::TempDir()) + "/octo-bench";
  auto r = troupe_cli("bench octocross " + topology("octo-bench", "") +
                      " --sizes 2 --policies greedy none --repeats 1 --duration 6 -o " + dir);
  ASSERT_EQ(r.status, 0) << r.output;
  auto rows = read_json(dir + "/comparison.json");
  ASSERT_EQ(rows.size(), 2u) << r.output;
  for (auto& row : rows) {
    EXPECT_EQ(row["cameras"].get<int>(), 2);
    EXPECT_GT(row["overall"]["objects_offered"].get<double>(), 0) << r.output;
  }
  EXPECT_EQ(rows[0]["policy"], "greedy");
  EXPECT_GT(rows[0]["scheduler"]["decisions"].get<int>(), 0) << r.output;
  EXPECT_FALSE(rows[1]["scheduler"].contains("decisions"));  // none: no scheduler ran
  auto greedy = read_json(dir + "/octo-bench-greedy-2-r0.json");
  EXPECT_TRUE(greedy["replicas"].contains("reid-c2")) << r.output;
  EXPECT_FALSE(greedy["replicas"].contains("reid-c3")) << r.output;  // its node was left out
  EXPECT_NE(r.output.find("gains (paired runs"), std::string::npos) << r.output;
}

// --traces records the scheduler's samples and the replicas' arrivals even without
// offloading; Distream runs with the server's replica as its Edge and the cameras' as
// Ends forecasting with an LSTM.
TEST(OctoCrossDeployment, BenchRecordsTracesAndRunsDistreamWithTheServerAsEdge) {
  auto dir = std::string(::testing::TempDir()) + "/octo-dist";
  auto server = "  - { name: reid-srv, kind: videojam-function, node: server, params: { function: emulated, model: reid, "
                "type: reid, balancer: plan, scheduler: sched, device: cam, profile: " +
                std::string(::testing::TempDir()) + "/octo-dist-devices.yaml } }\n";
  auto file = topology("octo-dist", server);
  auto r = troupe_cli("bench octocross " + file + " --sizes 2 --policies none --traces --repeats 1 --duration 6 -o " + dir);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(std::ifstream(dir + "/octo-dist-none-2-r0-trace.csv").good()) << r.output;
  EXPECT_TRUE(std::ifstream(dir + "/octo-dist-none-2-r0-load-reid-c1.csv").good()) << r.output;
  std::string load = "slot,items\n";
  for (int s = 0; s < 120; ++s)
    load += std::to_string(s) + "," + std::to_string(5 + s % 4) + "\n";
  r = troupe_cli("train-forecaster " + write_temp("octo-dist-load.csv", load) + " --network lstm --epochs 2 -o " + dir +
                 "/distream-octo-dist.txt");
  ASSERT_EQ(r.status, 0) << r.output;
  r = troupe_cli("bench octocross " + file + " --sizes 2 --policies distream --repeats 1 --duration 16 --models " + dir +
                 " -o " + dir);
  ASSERT_EQ(r.status, 0) << r.output;
  auto report = read_json(dir + "/octo-dist-distream-2-r0.json");
  ASSERT_FALSE(report.is_null()) << r.output;
  EXPECT_GT(report["replicas"]["reid-srv"]["received"].get<int>(), 0) << r.output;  // the Edge's share, from its first window (10 s)
  EXPECT_GT(report["overall"]["objects_delivered"].get<int>(), 0) << r.output;
}

// Fig. 8 at toy size, twice with other seeds: two cameras, a third joins, then leaves;
// its replica is spawned and stopped with it, the scheduler sees it join and go,
// nothing is sent to it after it left, and each phase's objects/s are reported as a
// median over the runs.
TEST(OctoCrossDeployment, AdaptationBenchAddsThenRemovesACamera) {
  auto dir = std::string(::testing::TempDir()) + "/octo-adapt";
  auto r = troupe_cli("bench octocross-adaptation " + topology("octo-adapt", "") +
                      " --steps 2 3 2 --phase-s 6 --policies greedy --grace-s 2 --repeats 2 -o " + dir);
  ASSERT_EQ(r.status, 0) << r.output;
  auto runs = read_json(dir + "/adaptation.json");
  ASSERT_EQ(runs.size(), 2u) << r.output;
  EXPECT_EQ(runs[1]["repeat"].get<int>(), 1) << r.output;
  EXPECT_NE(r.output.find("2 runs per policy, median (min-max)"), std::string::npos) << r.output;
  EXPECT_EQ(runs[1]["overall"]["sent_to_lost"].get<int>(), 0) << r.output;
  auto& sched = runs[0]["scheduler"];
  EXPECT_EQ(sched["events"]["joined"].get<int>(), 3) << r.output;
  EXPECT_GE(sched["events"]["masked"].get<int>(), 1) << r.output;
  bool c3_joined_late = false;
  for (auto& e : sched["event_log"])
    c3_joined_late |= e["node"] == "reid-c3" && e["event"] == "joined" && e["t_s"].get<double>() >= 5;
  EXPECT_TRUE(c3_joined_late) << sched.dump();
  EXPECT_EQ(runs[0]["overall"]["sent_to_lost"].get<int>(), 0) << r.output;
  EXPECT_NE(r.output.find("objects/s per phase"), std::string::npos) << r.output;
}

// Objects per node over a whole trace.
std::map<std::string, double> objects_per_node(const troupe::octocross::cluster_recording& r) {
  std::map<std::string, double> sum;
  for (auto& s : r.samples)
    for (size_t i = 0; i < r.nodes.size(); ++i)
      sum[r.nodes[i]] += s.objects[i];
  return sum;
}

// The learned policy end to end at toy size: a run without offloading, recorded
// (`--record`), also writes its trace; replaying its scheduler with `--param trace=`
// makes the same training data from the recording alone (issue 21 item 4: RL agents
// train offline from real runs), train-octocross learns from that, and a run with the
// model plans from it; when two nodes leave, nothing is sent their way after a tick,
// and once their grace is over the model is finetuned without them while decisions go on.
TEST(OctoCrossDeployment, TheLearnedPolicyTrainsOnATraceReplayedFromARecordingThenPlansAndFinetunes) {
  auto dir = std::string(::testing::TempDir());
  auto trace = dir + "/octo-learn-trace.csv", weights = dir + "/octo-learn.pt", recording = dir + "/octo-recording";
  std::filesystem::remove_all(recording);
  std::string toy = "tau: 4, d: 16, heads: 2, layers: 1, n_max: 8";
  auto record = topology("octo-record", "", "policy: none, trace: " + trace + ", " + toy + ", ");
  auto r = troupe_cli("run " + record + " --record " + recording);
  ASSERT_EQ(r.status, 0) << r.output;
  r = troupe_cli("replay " + recording + " --only sched --settle 1 --param trace=from-recording.csv");
  auto replayed_trace = recording + "/replay/from-recording.csv";
  ASSERT_TRUE(std::filesystem::exists(replayed_trace)) << r.output;
  auto live = troupe::octocross::read_trace(trace), replayed = troupe::octocross::read_trace(replayed_trace);
  EXPECT_EQ(replayed.nodes, live.nodes);
  // The same statistics sampled by a timer of its own: second by second the same
  // objects, but for a report that lands on the other side of a tick (the two seconds
  // together then agree); the replay goes on ticking while it settles.
  ASSERT_GE(replayed.samples.size(), live.samples.size()) << r.output;
  auto objects = [](const auto& trace, size_t t, size_t i) {
    return t < trace.samples.size() ? trace.samples[t].objects[i] : 0;
  };
  size_t same = 0, all = 0;
  for (size_t t = 0; t < live.samples.size(); ++t)
    for (size_t i = 0; i < live.nodes.size(); ++i, ++all) {
      auto pair = [&](const auto& trace, size_t from) { return objects(trace, from, i) + objects(trace, from + 1, i); };
      same += objects(replayed, t, i) == objects(live, t, i) || pair(replayed, t) == pair(live, t) ||
              (t > 0 && pair(replayed, t - 1) == pair(live, t - 1));
    }
  EXPECT_GE(double(same), 0.9 * double(all)) << r.output;
  EXPECT_GT(objects_per_node(live)["reid-c1"], 100);
  r = troupe_cli("train-octocross " + replayed_trace + " -o " + weights +
                 " --tau 4 --d 16 --heads 2 --layers 1 --n-max 8 --epochs 30 --validation 0 --held-out 0");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("wrote " + weights), std::string::npos) << r.output;

  auto learn = topology("octo-learn", "timeline:\n  - { at_s: 8, stop: reid-c2 }\n  - { at_s: 8, stop: reid-c3 }\n",
                        "policy: octocross, model: " + weights + ", " + toy +
                            ", grace_s: 2, collect_s: 8, finetune_epochs: 20, ");
  r = troupe_cli("run " + learn);
  auto report = read_json(dir + "/octo-learn.json");
  auto sched = read_json(dir + "/octo-learn-scheduler.json");
  ASSERT_FALSE(report.is_null()) << r.output;
  ASSERT_FALSE(sched.is_null()) << r.output;
  EXPECT_EQ(sched["model"].get<std::string>().rfind(weights, 0), 0u) << r.output;
  EXPECT_GT(sched["decisions"].get<int>(), sched["warming_decisions"].get<int>()) << r.output;
  auto& c1 = report["replicas"]["reid-c1"];
  EXPECT_GT(c1["plans_applied"].get<int>(), 0) << r.output;
  EXPECT_EQ(c1["dropped_lost"].get<int>(), 0) << r.output;
  EXPECT_LE(c1["kept_for_down"].get<int>(), 5) << r.output;
  EXPECT_GE(sched["events"]["finetune_lost"].get<int>(), 1) << r.output;
  EXPECT_GE(sched["finetune_s"].size() + sched["finetunes_failed"].get<size_t>(), 1u) << r.output;
  EXPECT_EQ(sched["finetunes_failed"].get<int>(), 0) << r.output;
}
