// Penance live (`troupe run`: NATS, actors, real H.264, an emulated link): a camera's
// segments reach the segmenter, its labels the sink, p the camera; an upload the link
// cannot finish within T is cut, scored 0 and counted; every segment ends in the books.
// The networks are freshly initialised (seeded): these tests are about the system's
// plumbing and its books, not about accuracy (the bench measures that).
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/script.h>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/segmenter_graph.hpp"
#include "actors/penance/cli/bench_penance.hpp"
#include "actors/penance/cli/conditions_from_recording.hpp"
#include "actors/penance/core/segment_models.hpp"
#include "learning/penance_dataset.hpp"
#include "learning/penance_networks.hpp"
#include "learning/penance_runtime.hpp"
#include "learning/segmenter_network.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;

namespace {

constexpr int width = 256, height = 144;  // every scale's sides even

// Models 0–4, an estimator for 256×144 and Penance's adapter, in a temporary folder.
std::string toy_models() {
  static const std::string dir = [] {
    auto d = std::filesystem::path(::testing::TempDir()) / "penance-live-models";
    std::filesystem::create_directories(d);
    auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
    auto model0 = learning::build_segmenter(g, 1);
    const double keep[] = {1.0, 0.7, 0.5, 0.35, 0.25};
    for (int v = 0; v < 5; ++v)
      learning::prune_segmenter(model0, keep[v]).save((d / ("segmenter-" + std::to_string(v) + ".pt")).string());
    learning::estimator_shape e;
    e.height = height / 2;
    e.width = width / 2;
    learning::build_estimator(e, 2).save((d / "estimator.pt").string());
    penance::state_layout layout;
    torch::jit::Module adapter("penance_adapter");
    adapter.register_module("actor", learning::build_adapter(layout, static_cast<int>(layout.configs), 3));
    adapter.register_module("performance", learning::build_performance_encoder({}, 4));
    adapter.define("def variant(self) -> str:\n    return 'penance'\ndef state_size(self) -> int:\n    return " +
                   std::to_string(layout.size()) + "\ndef settings(self) -> int:\n    return 18\n" +
                   "def configs(self) -> int:\n    return 90\n");
    adapter.save((d / "adapter.pt").string());
    return d.string();
  }();
  return dir;
}

struct live_run {
  int status;
  std::string output;
  nlohmann::json report;
};

// One camera on a link of `mbps` to the server, the sink off the link, a drive of 4 s.
live_run run(const std::string& name, double mbps, const std::string& camera_params, const std::string& record = "") {
  auto dir = toy_models();
  auto prefix = std::string(::testing::TempDir()) + "/" + name;
  std::filesystem::remove(prefix + ".json");
  auto text = "deployment: " + name + "\nruntime: { duration_s: 9 }\n"
              "nodes: [ { name: camera }, { name: server }, { name: lab } ]\nactors:\n"
              "  - { name: sink, kind: segment-sink, node: lab, params: { report: " + prefix + " } }\n"
              "  - { name: segmenter, kind: segmenter, node: server, params: { models: \"" + dir +
              "/segmenter-{v}.pt\", adapter: " + dir + "/adapter.pt } }\n"
              "  - { name: cam, kind: segment-camera, node: camera, params: { server: segmenter, sink: sink, width: " +
              std::to_string(width) + ", duration_s: 4, seed: 1001, " + camera_params + " } }\n"
              "links:\n  - { from: camera, to: server, bandwidth_mbps: " + std::to_string(mbps) + ", latency_ms: 10 }\n";
  auto r = troupe_cli("run " + write_temp(name + ".yaml", text) + (record.empty() ? "" : " --record " + record));
  std::ifstream in(prefix + ".json");
  return {r.status, r.output, in ? nlohmann::json::parse(in) : nlohmann::json()};
}

}  // namespace

TEST(PenanceLive, EverySegmentIsSegmentedScoredAndPComesBack) {
  auto r = run("penance-live", 100,
               "estimator: " + toy_models() + "/estimator.pt, adapter: " + toy_models() + "/adapter.pt");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_FALSE(r.report.is_null()) << r.output;
  auto& s = r.report["segments"];
  EXPECT_EQ(s["scored"], 4) << r.output;
  EXPECT_EQ(s["delivered"], 4) << r.output;
  EXPECT_EQ(s["cut"], 0);
  EXPECT_EQ(s["in_flight"], 0);
  EXPECT_EQ(r.report["decided_by"], "penance");
  // Every segment after the first was decided with its predecessor's p on a fast link.
  EXPECT_LE(r.report["stale_pct"].get<double>(), 25.0) << r.output;
  EXPECT_GT(r.report["gmacs_per_segment"].get<double>(), 0);
  EXPECT_GE(r.report["miou"]["p50"].get<double>(), 0);
}

// A recorded run gives the conditions its camera met, to train the adapter under
// (`train-penance --stage adapter --conditions-from DIR`): one series, a segment each.
TEST(PenanceLive, ARecordedRunGivesTheConditionsItsCameraMet) {
  auto dir = std::string(::testing::TempDir()) + "/penance-recorded";
  std::filesystem::remove_all(dir);
  auto r = run("penance-recorded", 100,
               "estimator: " + toy_models() + "/estimator.pt, adapter: " + toy_models() + "/adapter.pt, "
               "accuracy_target: 0.7", dir);
  ASSERT_EQ(r.status, 0) << r.output;
  auto conditions = conditions_from_recording(dir);
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_EQ(conditions[0].camera, "cam");
  EXPECT_EQ(conditions[0].targets, std::vector<double>(4, 0.7));
  ASSERT_EQ(conditions[0].bandwidth_mbps.size(), 4u);
  for (double B : conditions[0].bandwidth_mbps)
    EXPECT_TRUE(B > 0 && std::isfinite(B)) << B;
  // A folder without a recording, or a recording without segments, is refused by name.
  auto empty = std::string(::testing::TempDir()) + "/penance-not-recorded";
  std::filesystem::create_directories(empty);
  auto refused = troupe_cli("train-penance --stage adapter --conditions-from " + empty);
  EXPECT_NE(refused.status, 0);
  EXPECT_NE(refused.output.find("no .inputs files"), std::string::npos) << refused.output;
}

TEST(PenanceLive, AnUploadPastItsDeadlineIsCutCountedAndScoredZero) {
  // Scale 1, QP 20, model 0 over 0.02 Mbit/s: no segment fits in its second.
  auto r = run("penance-cut", 0.02, "mode: fixed, config: 0");
  ASSERT_EQ(r.status, 0) << r.output;
  ASSERT_FALSE(r.report.is_null()) << r.output;
  auto& s = r.report["segments"];
  EXPECT_EQ(s["cut"], 4) << r.output;
  EXPECT_EQ(s["delivered"], 0);
  EXPECT_EQ(s["scored"].get<int>() + s["in_flight"].get<int>(), 4);
  EXPECT_DOUBLE_EQ(r.report["fail_pct"].get<double>(), 100);
  EXPECT_DOUBLE_EQ(r.report["miou"]["p50"].get<double>(), 0);
  EXPECT_NE(r.output.find("cut at their deadline"), std::string::npos) << r.output;
}

TEST(PenanceLive, BadSettingsAreRefusedNamingTheValue) {
  auto r = run("penance-bad", 100, "mode: fixed, config: 90");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("config: 90"), std::string::npos) << r.output;
}

// `troupe bench penance --live`: the topology on every test drive with the learned
// adapter, beside the replay of the same drives from their tables.
TEST(PenanceLive, TheBenchsLiveLegRunsEveryTestDriveBesideTheReplay) {
  auto dir = toy_models();
  learning::penance_dataset_options data;
  data.width = width;
  data.height = height;
  data.drives.train = 1;
  data.drives.test = 1;
  data.drives.drive_s = 3;
  data.models = dir + "/segmenter-{v}.pt";
  data.folder = dir + "/tables";
  data.workers = 1;
  learning::build_penance_dataset(data);
  penance::register_model_loaders(learning::penance_model_loaders());
  auto topology = write_temp("penance-bench-live.yaml",
                             "deployment: penance-bench-live\nruntime: { duration_s: 8 }\n"
                             "nodes: [ { name: camera }, { name: server }, { name: lab } ]\nactors:\n"
                             "  - { name: sink, kind: segment-sink, node: lab, params: { report: x } }\n"
                             "  - { name: segmenter, kind: segmenter, node: server }\n"
                             "  - { name: cam, kind: segment-camera, node: camera, params: { server: segmenter, sink: sink } }\n"
                             "links:\n  - { from: camera, to: server, bandwidth_mbps: 100, latency_ms: 10 }\n");
  bench_penance_options o;
  o.data = data;
  o.estimator = dir + "/estimator.pt";
  o.penance = dir + "/adapter.pt";
  o.casva = "";
  o.dao = "";
  o.bandwidths = {0.6};
  o.targets = {0.65};
  o.live = true;
  o.live_bandwidth = 40;  // 1.6 MB/s at 256x144: the random adapter's choices fit
  o.topology = topology;
  o.live_duration_s = 7;
  o.out_dir = std::string(::testing::TempDir()) + "/penance-bench-live";
  ASSERT_EQ(bench_penance_command(o), 0);
  std::ifstream in(o.out_dir + "/replay.json");
  auto j = nlohmann::json::parse(in);
  ASSERT_EQ(j["live"].size(), 1u) << j.dump();
  auto& live = j["live"][0];
  EXPECT_EQ(live["method"], "penance");
  EXPECT_TRUE(live["fail_pct"].get<double>() >= 0 && live["fail_pct"].get<double>() <= 100);
  EXPECT_GT(live["gmacs_per_segment"].get<double>(), 0);
  // The same decisions on the same segments: live MACs are the replay's when nothing is cut.
  EXPECT_NEAR(live["gmacs_per_segment"].get<double>(), live["replay_gmacs_per_segment"].get<double>(),
              0.05 * live["replay_gmacs_per_segment"].get<double>());
}
