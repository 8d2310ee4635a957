// VideoJam's balancers in real deployments (NATS, actors, real detection): full queues
// drop and count, a lost neighbour leaves the policy and comes back, and VideoJam moves
// load from a loaded replica to an idle one. Slow emulated devices make the load.
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace troupe::testing;

namespace {

// HOG takes 300 ms of emulated time per item on this device: a 10 fps camera overloads it.
std::string slow_profile() {
  return write_temp("videojam-slow.yaml",
                    "devices:\n  - name: slow\n    busy_power_w: 1\n    idle_power_w: 1\n    models:\n      - { model: hog, fixed_ms: 300, ms_per_megapixel: 0 }\n");
}

std::string replica(const std::string& name, const std::string& node, const std::string& balancer,
                    const std::string& extra = "") {
  return "  - { name: " + name + ", kind: videojam-function, node: " + node + ", params: { function: detect, model: hog, balancer: " +
         balancer + ", queue_capacity: 3, slot_ms: 250, window_slots: 2, history_slots: 4, device: slow, profile: " +
         slow_profile() + extra + " } }\n";
}

std::string topology(const std::string& name, const std::string& body, double duration_s) {
  auto prefix = std::string(::testing::TempDir()) + "/" + name;
  return write_temp(name + ".yaml", "deployment: " + name + "\nruntime: { duration_s: " + std::to_string(duration_s) +
                                        " }\nnodes: [ { name: n1 }, { name: n2 } ]\nactors:\n"
                                        "  - { name: sink, kind: videojam-sink, node: n1, params: { report: " + prefix + " } }\n"
                                        "  - { name: cam, kind: videojam-camera, node: n1, params: { source: synthetic, "
                                        "seed: 5, density: \"0:2\", crop: [0, 0, 256, 256], pan: [30, 10], fps: 10, "
                                        "sink: sink, mobile: true, next: a } }\n" + body);
}

nlohmann::json report_of(const std::string& name, const std::string& file, std::string& output) {
  auto r = troupe_cli("run " + file);
  output = r.output;
  std::ifstream in(std::string(::testing::TempDir()) + "/" + name + ".json");
  return r.status == 0 && in ? nlohmann::json::parse(in) : nlohmann::json();
}

int64_t sum(const nlohmann::json& counts) {
  int64_t n = 0;
  for (auto& [cause, c] : counts.items())
    n += c.get<int64_t>();
  return n;
}

// Every item a camera produced (its frames, and the objects the functions cut from
// them) ends delivered, dropped, lost, ended or in flight (issue 20, item 5).
void expect_books_close(const nlohmann::json& report, const std::string& camera, const std::string& output) {
  ASSERT_TRUE(report.contains("books")) << output;
  auto& b = report["books"][camera];
  EXPECT_GT(b.value("produced", int64_t(0)), 0) << report["books"].dump(2);
  EXPECT_TRUE(b.value("closed", false)) << b.dump(2);
  EXPECT_EQ(b["produced"].get<int64_t>(), b["delivered"].get<int64_t>() + sum(b["dropped"]) + sum(b["lost"]) +
                                              sum(b["ended"]) + sum(b["in_flight"]))
      << b.dump(2);
}

}  // namespace

TEST(VideoJamDeployment, FullQueuesDropAndEveryItemIsAccountedFor) {
  std::string output;
  auto file = topology("vj-drops", replica("a", "n1", "none"), 5);
  auto report = report_of("vj-drops", file, output);
  ASSERT_FALSE(report.is_null()) << output;
  auto& a = report["replicas"]["a"];
  EXPECT_GT(a["dropped_full"].get<int>(), 5) << output;  // ~3 items/s served of 10/s arriving
  // Every item that arrived was processed, dropped, or still waits (one more may be in service).
  int accounted = a["processed"].get<int>() + a["dropped_full"].get<int>() + a["queue_length"].get<int>();
  EXPECT_NEAR(accounted, a["arrived"].get<int>(), 1) << output;
  auto& all = report["overall"];
  EXPECT_EQ(all["dropped_full"], a["dropped_full"]);
  EXPECT_NEAR(all["loss_rate"].get<double>(), all["lost"].get<double>() / all["offered"].get<double>(), 1e-9);
  EXPECT_GT(all["loss_rate"].get<double>(), 0.3) << output;
  expect_books_close(report, "cam", output);
  auto& b = report["books"]["cam"];
  EXPECT_EQ(b["dropped"].value("a: queue full", int64_t(0)), a["dropped_full"].get<int64_t>()) << b.dump(2);
  EXPECT_EQ(b["delivered"].get<int64_t>(), all["results"].get<int64_t>()) << b.dump(2);
}

TEST(VideoJamDeployment, LoadMovesToTheIdleNeighbourWhichLeavesOnFailureAndReturns) {
  std::string output;
  auto body = replica("a", "n1", "videojam") + replica("b", "n2", "videojam") +
              "timeline:\n  - { at_s: 4, kill_node: n2 }\n  - { at_s: 8, restore_node: n2 }\n";
  auto file = topology("vj-failover", body, 12);
  auto report = report_of("vj-failover", file, output);
  ASSERT_FALSE(report.is_null()) << output;
  auto& a = report["replicas"]["a"];
  auto& b = report["replicas"]["b"];
  EXPECT_GT(a["offloaded"].get<int>(), 0) << output;  // the camera feeds a only
  EXPECT_EQ(b["arrived"].get<int>(), 0) << output;
  EXPECT_TRUE(std::regex_search(output, std::regex("balancer a: neighbour b lost \\(no heartbeat"))) << output;
  EXPECT_TRUE(b["restarted"].get<bool>()) << output;
  EXPECT_GT(b["received_since_start"].get<int>(), 0) << output;  // back in a's policy after it returned
  expect_books_close(report, "cam", output);
}

// A run in which nothing reached the sink is no point of a comparison: the bench says
// so, naming the run, and draws nothing.
TEST(VideoJamDeployment, BenchRefusesARunThatProcessedNothing) {
  auto file = write_temp("vj-nothing.yaml",
                         "deployment: vj-nothing\nruntime: { duration_s: 2 }\nnodes: [ { name: n1 } ]\nactors:\n"
                         "  - { name: sink, kind: videojam-sink, node: n1 }\n"
                         "  - { name: cam, kind: videojam-camera, node: n1, params: { source: synthetic, fps: 5, "
                         "start_after_ms: 600000, sink: sink, mobile: true, next: a } }\n" +
                           replica("a", "n1", "none"));
  auto out = std::string(::testing::TempDir()) + "/vj-nothing-bench";
  std::filesystem::remove_all(out);
  auto r = troupe_cli("bench videojam " + file + " --policies none --duration 2 -o " + out);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("the run processed nothing"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out + "/comparison.json")) << r.output;
}

// §3.4.2 between real replicas: both overloaded by their own cameras, each plans from
// the other's idle start to offload to it, and a receiver that is itself offloading
// answers with a congestion risk; an offload beyond what the receiver expected from
// its sender makes it send its state back (a prediction error). Both are counted.
TEST(VideoJamDeployment, OffloadsToABusyReplicaMeetCongestionRiskAndPredictionErrors) {
  std::string output;
  auto second_camera = "  - { name: cam-b, kind: videojam-camera, node: n2, params: { source: synthetic, seed: 6, "
                       "density: \"0:2\", crop: [0, 0, 256, 256], pan: [-30, 10], fps: 10, sink: sink, mobile: true, "
                       "next: b } }\n";
  auto file = topology("vj-busy", replica("a", "n1", "videojam") + replica("b", "n2", "videojam") + second_camera, 8);
  auto report = report_of("vj-busy", file, output);
  ASSERT_FALSE(report.is_null()) << output;
  auto& all = report["overall"];
  for (auto name : {"a", "b"})  // each planned from the other's idle start
    EXPECT_GT(report["replicas"][name]["offloaded"].get<int>(), 0) << output;
  EXPECT_GT(all["congestion_signals"].get<int>(), 0) << output;
  EXPECT_GT(all["prediction_errors"].get<int>(), 0) << output;
  expect_books_close(report, "cam", output);
  expect_books_close(report, "cam-b", output);
}

// A crowd's counts through an emulated pipeline (a per-frame stage, then a per-object
// one): objects delivered against the objects the cameras offered, per camera, with
// the SLO counted.
TEST(VideoJamDeployment, AnEmulatedCrowdPipelineDeliversTheObjectsItsCamerasOffer) {
  auto crowd = write_temp("vj-crowd.yaml",
                          "seed: 2\ncameras: [ {name: door, entry_rate: 3}, {name: hall} ]\nedges: [[door, hall]]\n"
                          "dwell_s: [1, 2]\nlag_s: [0.2, 0.5]\nexit_probability: 0.2\n");
  auto profile = write_temp("vj-emulated.yaml",
                            "devices:\n  - name: fast\n    busy_power_w: 1\n    models:\n"
                            "      - { model: det, fixed_ms: 5, ms_per_megapixel: 0 }\n"
                            "      - { model: reid, fixed_ms: 1, ms_per_megapixel: 100 }\n");
  auto prefix = std::string(::testing::TempDir()) + "/vj-crowd";
  std::string body = "deployment: vj-crowd\nruntime: { duration_s: 5 }\nnodes: [ { name: n1 } ]\nactors:\n"
                     "  - { name: sink, kind: videojam-sink, node: n1, params: { report: " + prefix + ", slo_ms: 200 } }\n";
  for (std::string cam : {"door", "hall"})
    body += "  - { name: " + cam + ", kind: videojam-camera, node: n1, params: { source: crowd, crowd: " + crowd +
            ", fps: 5, sink: sink, next: det-" + cam + " } }\n"
            "  - { name: det-" + cam + ", kind: videojam-function, node: n1, params: { function: emulated, model: det, "
            "work: frame, balancer: none, next: reid, device: fast, profile: " + profile + " } }\n";
  body += "  - { name: reid, kind: videojam-function, node: n1, params: { function: emulated, model: reid, balancer: none, "
          "device: fast, profile: " + profile + " } }\n";
  std::string output;
  auto report = report_of("vj-crowd", write_temp("vj-crowd-topology.yaml", body), output);
  ASSERT_FALSE(report.is_null()) << output;
  auto& all = report["overall"];
  auto offered = all["objects_offered"].get<double>();
  EXPECT_GT(offered, 10) << output;
  EXPECT_GE(all["objects_delivered"].get<double>(), 0.8 * offered) << output;  // ample capacity: a few in flight at most
  EXPECT_LE(all["objects_delivered"].get<double>(), offered) << output;
  EXPECT_LT(all["slo_miss_rate"].get<double>(), 0.2) << output;
  EXPECT_EQ(report["slo_ms"].get<double>(), 200);
  EXPECT_GT(report["cameras"]["door"]["objects_offered"].get<double>(), 0) << output;
  EXPECT_GT(report["cameras"]["hall"]["objects_offered"].get<double>(), 0) << output;
  EXPECT_NE(output.find("of ideal"), std::string::npos) << output;
  expect_books_close(report, "door", output);
  expect_books_close(report, "hall", output);
}
