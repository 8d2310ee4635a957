// REACT cameras in real deployments (NATS, actors, real detection, an emulated link
// and a slow cloud device): cloud results come back late, are fast-tracked and fused;
// each baseline asks only the detectors it should; a model server with two workers
// serves every camera.
#include <filesystem>
#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace troupe::testing;

namespace {

// The cloud takes 250 ms of emulated time per frame: its answers are frames late at 10 fps.
std::string slow_cloud() {
  return write_temp("react-slow.yaml",
                    "devices:\n  - name: slow-cloud\n    busy_power_w: 1\n    idle_power_w: 1\n    concurrency: 2\n"
                    "    models:\n      - { model: hog, fixed_ms: 250, ms_per_megapixel: 0 }\n");
}

std::string topology(const std::string& name, const std::string& mode, int cameras) {
  auto prefix = std::string(::testing::TempDir()) + "/" + name;
  std::string text = "deployment: " + name + "\nruntime: { duration_s: 6 }\n"
                     "nodes: [ { name: edge }, { name: cloud } ]\nactors:\n"
                     "  - { name: sink, kind: sink, node: cloud, params: { report: " + prefix + " } }\n"
                     "  - { name: edge-det, kind: detector, node: edge, params: { model: hog } }\n"
                     "  - { name: server, kind: detector, node: cloud, params: { model: hog, max_batch: 2, workers: 2, "
                     "device: slow-cloud, profile: " + slow_cloud() + " } }\n";
  for (int i = 1; i <= cameras; ++i)
    text += "  - { name: cam-" + std::to_string(i) + ", kind: react-camera, node: edge, params: { source: synthetic, seed: " +
            std::to_string(40 + i) + ", density: \"0:2\", scene_width: 320, scene_height: 240, fps: 10, sink: sink, "
            "edge: edge-det, cloud: server, k: 3, m: 10, tracker: flow, mode: " + mode + " } }\n";
  text += "links:\n  - { from: edge, to: cloud, bandwidth_mbps: 24, latency_ms: 30 }\n";
  return write_temp(name + ".yaml", text);
}

nlohmann::json run(const std::string& name, const std::string& mode, int cameras, std::string& output) {
  auto r = troupe_cli("run " + topology(name, mode, cameras));
  output = r.output;
  std::ifstream in(std::string(::testing::TempDir()) + "/" + name + ".json");
  return r.status == 0 && in ? nlohmann::json::parse(in) : nlohmann::json();
}

// One run's report in a bench's output folder (not comparison.json).
std::string first_run_report(const std::string& dir) {
  for (auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json" && e.path().filename() != "comparison.json")
      return e.path().string();
  return "";
}

// Rewrites a report as one that covers a tenth of a second.
void cut_short(const std::string& file) {
  nlohmann::json j;
  {
    std::ifstream in(file);
    j = nlohmann::json::parse(in);
  }
  j["duration_s"] = 0.1;
  std::ofstream(file) << j.dump();
}

double figure(const nlohmann::json& report, const std::string& camera, const std::string& name) {
  return report["cameras"][camera]["figures"].value(name, -1.0);
}

}  // namespace

TEST(ReactDeployment, LateCloudResultsAreFastTrackedAndFused) {
  std::string output;
  auto report = run("react-fused", "react", 2, output);
  ASSERT_FALSE(report.is_null()) << output;
  for (auto* cam : {"cam-1", "cam-2"}) {
    EXPECT_EQ(report["cameras"][cam]["kind"], "react-camera/react") << output;
    EXPECT_GE(figure(report, cam, "cloud_requests"), 3) << output;
    EXPECT_GE(figure(report, cam, "cloud_fusions"), 2) << output;
    EXPECT_GE(figure(report, cam, "catch_ups"), 2) << output;          // answers came for older frames
    EXPECT_GE(figure(report, cam, "cloud_age_frames_mean"), 2) << output;  // 250 ms + link at 10 fps
    EXPECT_GT(figure(report, cam, "cloud_rtt_p50_ms"), 250) << output;
    EXPECT_GE(figure(report, cam, "edge_fusions"), 5) << output;
    EXPECT_GT(report["cameras"][cam]["accuracy"]["scored_frames"].get<int>(), 20) << output;
  }
  EXPECT_GT(report["replicas"]["server"]["processed"].get<int>(), 5) << output;  // both cameras, one server
  // Each request is an item of the books (issue 20, item 5): its result fused into an
  // output, dropped by the manager with its cause, or held; the detectors' parts agree.
  for (auto cam : {"cam-1", "cam-2"}) {
    auto& b = report["books"][cam];
    EXPECT_EQ(b.value("produced", -1.0), figure(report, cam, "edge_requests") + figure(report, cam, "cloud_requests"))
        << b.dump(2) << output;
    EXPECT_GT(b.value("delivered", 0.0), 0) << b.dump(2);
    EXPECT_TRUE(b.value("closed", false)) << b.dump(2);
  }
}

TEST(ReactDeployment, BaselinesAskOnlyTheirDetectors) {
  std::string output;
  auto edge_only = run("react-edge-only", "edge-only", 1, output);
  ASSERT_FALSE(edge_only.is_null()) << output;
  EXPECT_EQ(figure(edge_only, "cam-1", "cloud_requests"), 0) << output;
  EXPECT_GT(figure(edge_only, "cam-1", "edge_requests"), 5) << output;
  auto cloud_only = run("react-cloud-only", "cloud-only", 1, output);
  ASSERT_FALSE(cloud_only.is_null()) << output;
  EXPECT_EQ(figure(cloud_only, "cam-1", "edge_requests"), 0) << output;
  EXPECT_GE(figure(cloud_only, "cam-1", "cloud_fusions"), 2) << output;
  auto every = run("react-every", "every-frame-edge", 1, output);
  ASSERT_FALSE(every.is_null()) << output;
  // Every frame goes to the edge detector; none is tracked.
  EXPECT_EQ(figure(every, "cam-1", "edge_requests"), figure(every, "cam-1", "frames")) << output;
  EXPECT_EQ(figure(every, "cam-1", "catch_ups"), 0) << output;
}

// `troupe bench react` runs each variant the asked number of times with other seeds,
// prints medians and the paper's claims beside ours for each pair (a baseline run that
// two pairs share, here cloud-only, stands beside each), and with --resume reads back
// what is done instead of running it again.
TEST(ReactDeployment, BenchRepeatsVariantsAndSetsThePaperBeside) {
  auto out = std::string(::testing::TempDir()) + "/bench-react";
  std::filesystem::remove_all(out);
  auto args = "bench react " + topology("react-bench", "react", 1) +
              " --parts pairs --pairs hog:hog haar-fullbody:hog --modes react cloud-only --repeats 2 --duration 2 -o " + out;
  auto r = troupe_cli(args);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("run 2 of 2"), std::string::npos) << r.output;
  for (auto pair : {"hog:hog", "haar-fullbody:hog"})  // the paper's range beside our paired ratio
    EXPECT_TRUE(std::regex_search(r.output, std::regex(std::string(pair) +
                                                       " +cloud-only +1\\.20–1\\.50x +([0-9.]+ \\([0-9.]+–[0-9.]+\\)x|∞ \\(baseline: 0\\))")))
        << pair << "\n" << r.output;
  std::ifstream in(out + "/comparison.json");
  ASSERT_TRUE(in) << r.output;
  auto rows = nlohmann::json::parse(in);
  ASSERT_EQ(rows.size(), 8u);  // 2 pairs × 2 modes × 2 runs, cloud-only run once per run and listed twice
  std::regex ran("== bench react");
  EXPECT_EQ(std::distance(std::sregex_iterator(r.output.begin(), r.output.end(), ran), std::sregex_iterator()), 6)
      << r.output;
  cut_short(first_run_report(out));  // as a run stopped by a signal in an older troupe left it
  auto again = troupe_cli(args + " --resume");
  ASSERT_EQ(again.status, 0) << again.output;
  std::regex done("read back \\(--resume\\)");
  EXPECT_EQ(std::distance(std::sregex_iterator(again.output.begin(), again.output.end(), done), std::sregex_iterator()), 5)
      << again.output;
  EXPECT_NE(again.output.find("cut short or unreadable), run again"), std::string::npos) << again.output;
}

// A bench stopped by SIGTERM mid-run fails and leaves no report of the cut-short run, so
// that --resume runs it again rather than reading it back as done; --time-scale reaches
// the run.
TEST(ReactDeployment, BenchStoppedBySignalLeavesNoReport) {
  auto out = std::string(::testing::TempDir()) + "/bench-react-stopped";
  std::filesystem::remove_all(out);
  auto r = run_command("timeout -s TERM 4 " + binary_dir() + "/cli/troupe bench react " +
                       topology("react-stopped", "react", 1) +
                       " --parts pairs --pairs hog:hog --modes react --repeats 1 --duration 60 --tracker kcf"
                       " --time-scale 2 -o " + out);
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("emulated clock: deployment time runs 2.00x slower"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("stopped by a signal; its report removed"), std::string::npos) << r.output;
  EXPECT_EQ(first_run_report(out), "") << r.output;
}

// A bench run that fails (here a camera whose source is no video) fails the bench and
// leaves no report, though its sink wrote one: --resume must run it again.
TEST(ReactDeployment, BenchRunThatFailsLeavesNoReport) {
  auto out = std::string(::testing::TempDir()) + "/bench-react-failed";
  std::filesystem::remove_all(out);
  std::ifstream in(topology("react-failed", "react", 1));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto links = text.find("links:");
  text.insert(links, "  - { name: cam-9, kind: react-camera, node: edge, params: { source: " + write_temp("no-video.avi", "text") +
                         ", sink: sink, edge: edge-det, cloud: server, k: 3, m: 10, tracker: flow, mode: react } }\n");
  auto r = troupe_cli("bench react " + write_temp("react-failed-bench.yaml", text) +
                      " --parts pairs --pairs hog:hog --modes react --repeats 1 --duration 2 -o " + out);
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("actor cam-9 (react-camera)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("the run failed (exit 1); its report removed"), std::string::npos) << r.output;
  EXPECT_EQ(first_run_report(out), "") << r.output;
}
