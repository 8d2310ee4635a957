// The run report against hand-computed cases: accuracy whichever of truth and
// detections arrives first, frames without result, SLO misses, replicas, files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "actors/common/run_report.hpp"
#include "actors/runtime/text_table.hpp"

using namespace troupe;

namespace {

void add_box(google::protobuf::RepeatedPtrField<msg::Box>* boxes, float x, float y, float w, float h, float score) {
  auto* b = boxes->Add();
  b->set_x(x);
  b->set_y(y);
  b->set_width(w);
  b->set_height(h);
  b->set_score(score);
}

msg::GroundTruth truth(uint64_t frame) {
  msg::GroundTruth t;
  t.set_camera("cam");
  t.set_frame_index(frame);
  add_box(t.mutable_boxes(), 0, 0, 10, 20, 1);
  add_box(t.mutable_boxes(), 50, 50, 10, 20, 1);
  return t;
}

msg::Detections found(uint64_t frame) {
  msg::Detections d;
  d.set_camera("cam");
  d.set_frame_index(frame);
  d.set_region_bytes(1000);
  add_box(d.mutable_boxes(), 0, 0, 10, 20, 0.9f);     // matches the first truth box
  add_box(d.mutable_boxes(), 100, 100, 10, 20, 0.8f);  // matches nothing
  return d;
}

}  // namespace

TEST(RunReport, ScoresFramesInEitherOrder) {
  run_report r(100);
  r.add_truth(truth(0));
  r.add_detections(found(0), 50, 0.1);   // truth first
  r.add_detections(found(1), 150, 0.2);  // detections first: an SLO miss
  r.add_truth(truth(1));
  r.add_truth(truth(2));                 // never detected: a frame without result
  auto j = r.to_json(2.0);
  auto& cam = j["cameras"]["cam"];
  EXPECT_EQ(cam["frames"], 2);
  EXPECT_EQ(cam["detections"], 4);
  EXPECT_EQ(cam["slo_misses"], 1);
  EXPECT_EQ(cam["bytes"], 2000);
  EXPECT_DOUBLE_EQ(cam["throughput_fps"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(cam["latency_ms"]["p50"].get<double>(), 50);  // nearest rank
  EXPECT_DOUBLE_EQ(cam["latency_ms"]["p99"].get<double>(), 150);
  auto& acc = cam["accuracy"];
  EXPECT_EQ(acc["scored_frames"], 2);
  EXPECT_EQ(acc["frames_without_result"], 1);
  // Per frame 1 TP, 1 FP, 1 FN: precision = recall = F1 = 0.5.
  EXPECT_DOUBLE_EQ(acc["precision"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(acc["recall"].get<double>(), 0.5);
  EXPECT_DOUBLE_EQ(acc["f1"].get<double>(), 0.5);
  // Ranked 0.9 TP, 0.9 TP, 0.8 FP, 0.8 FP over 4 truths: AP = 0.5 (precision 1 up to recall 0.5).
  EXPECT_NEAR(acc["map50"].get<double>(), 0.5, 1e-9);
}

TEST(RunReport, ReplicasGiveLoadBalanceAndTable) {
  run_report r(0);
  msg::ReplicaStats a, b;
  a.set_replica("a");
  a.set_busy_ms(1000);  // utilisation 0.5 over 2 s
  a.set_dropped_full(3);
  b.set_replica("b");
  b.set_busy_ms(200);   // 0.1
  r.add_replica(a, 2.0);
  r.add_replica(b, 2.0);
  auto j = r.to_json(2.0);
  EXPECT_EQ(j["replicas"]["a"]["dropped_full"], 3);
  EXPECT_NEAR(j["load_balance_index"].get<double>(), 0.04, 1e-12);  // variance of 0.5 and 0.1
  auto table = r.table(2.0);
  EXPECT_NE(table.find("load-balance index"), std::string::npos);
  EXPECT_NE(table.find("  3  "), std::string::npos) << table;
}

// Saturated: busy at least 95% of a window (per worker), or stale or queue-full drops in it.
TEST(RunReport, FlagsSaturatedReplicaWindows) {
  run_report r(0);
  msg::ReplicaStats s;
  s.set_replica("hog-1");
  s.set_parallel(1);
  s.set_busy_ms(500);
  r.add_replica(s, 1.0);  // 50%: fine
  EXPECT_FALSE(r.replicas().at("hog-1").last.saturated);
  s.set_busy_ms(1480);
  r.add_replica(s, 2.0);  // 98% of the second window
  auto last = r.replicas().at("hog-1").last;
  EXPECT_TRUE(last.saturated);
  EXPECT_EQ(last.why, "busy 98%");
  s.set_busy_ms(1500);
  s.set_dropped_stale(7);
  r.add_replica(s, 3.0);  // idle, but dropping stale work
  last = r.replicas().at("hog-1").last;
  EXPECT_TRUE(last.saturated);
  EXPECT_EQ(last.why, "7 stale");
  auto j = r.to_json(3.0);
  EXPECT_EQ(j["replicas"]["hog-1"]["saturated_windows"], 2);
  EXPECT_EQ(j["replicas"]["hog-1"]["windows"], 3);
  EXPECT_NE(r.table(3.0).find("2/3 s"), std::string::npos) << r.table(3.0);
}

// Two workers busy all the time are saturated; one of two is not.
TEST(RunReport, SaturationCountsEveryWorker) {
  msg::ReplicaStats before, now;
  now.set_parallel(2);
  now.set_busy_ms(1000);
  EXPECT_FALSE(replica_window(before, now, 1000).saturated);
  now.set_busy_ms(1990);
  EXPECT_TRUE(replica_window(before, now, 1000).saturated);
}

TEST(RunReport, FlagsACameraBehindItsFrameRate) {
  run_report r(0);
  msg::CameraPace p;
  p.set_camera("cam-1");
  p.set_target_fps(10);
  p.set_frames(10);
  p.set_window_s(1.0);
  r.add_pace(p);
  EXPECT_FALSE(r.paces().at("cam-1").last.behind);
  p.set_frames(6);
  r.add_pace(p);
  EXPECT_TRUE(r.paces().at("cam-1").last.behind);
  auto j = r.to_json(2.0);
  EXPECT_EQ(j["cameras"]["cam-1"]["frames"], 0);  // listed though no frame came back
  EXPECT_DOUBLE_EQ(j["cameras"]["cam-1"]["pace"]["fps"].get<double>(), 8.0);
  EXPECT_EQ(j["cameras"]["cam-1"]["pace"]["behind_windows"], 1);
  EXPECT_NE(r.table(2.0).find("8.0/10.0 behind 1/2 s"), std::string::npos) << r.table(2.0);
}

// Columns line up by what the eye sees: a long device name or a multi-byte character
// widens its column for every row.
TEST(TextTable, AlignsByDisplayWidth) {
  text_table t({"replica", "device", "done"});
  t.add({"a", "jetson-orin-nano-8gb-mig", "12"});
  t.add({"b✗", "-", "3"});
  auto lines = t.str();
  std::vector<std::string> rows;
  size_t start = 0;
  for (size_t end; (end = lines.find('\n', start)) != std::string::npos; start = end + 1)
    rows.push_back(lines.substr(start, end - start));
  ASSERT_EQ(rows.size(), 3u);
  for (auto& row : rows)
    EXPECT_EQ(display_width(row), display_width(rows[0])) << lines;
  EXPECT_EQ(display_width("slo✗"), 4u);
}

TEST(RunReport, WritesJsonAndAPlot) {
  run_report r(0);
  r.add_detections(found(0), 40, 0.5);
  auto prefix = std::string(::testing::TempDir()) + "/report";
  auto out = r.write(prefix, 1.0);
  EXPECT_TRUE(out.errors.empty()) << out.errors.front();
  ASSERT_GE(out.files.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(prefix + ".json"));
  EXPECT_TRUE(std::filesystem::exists(prefix + "-latency.png"));  // gnuplot is a dependency
}

// The sink's report prefix may name a folder that does not exist yet.
TEST(RunReport, CreatesTheFolderItWritesTo) {
  run_report r(0);
  r.add_detections(found(0), 40, 0.5);
  auto dir = std::string(::testing::TempDir()) + "/report-folder-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  auto out = r.write(dir + "/nested/run", 1.0);
  EXPECT_TRUE(out.errors.empty());
  ASSERT_FALSE(out.files.empty());
  for (auto& f : out.files)
    EXPECT_TRUE(std::filesystem::exists(f)) << f;
}

// A file that cannot be written is reported as such and never listed as written.
TEST(RunReport, NeverClaimsAFileItCouldNotWrite) {
  run_report r(0);
  r.add_detections(found(0), 40, 0.5);
  auto blocker = std::string(::testing::TempDir()) + "/not-a-folder-" + std::to_string(::getpid());
  std::ofstream(blocker) << "a file where a folder should be\n";
  auto out = r.write(blocker + "/run", 1.0);
  EXPECT_TRUE(out.files.empty());
  ASSERT_FALSE(out.errors.empty());
  EXPECT_NE(out.errors.front().find(blocker), std::string::npos) << out.errors.front();
}

// ReMO's eq. (5): a slot's system delay is its slowest frame of any camera, the frames
// grouped by when they were captured.
TEST(RunReport, SystemDelayIsEachSlotsSlowestFrame) {
  run_report r(0, 1.0);
  auto from = [](const char* camera, uint64_t frame) {
    auto d = found(frame);
    d.set_camera(camera);
    return d;
  };
  r.add_detections(from("a", 0), 100, 0.3);  // captured at 0.2 s: slot 0
  r.add_detections(from("b", 0), 400, 0.9);  // captured at 0.5 s: slot 0, the slowest there
  r.add_detections(from("a", 1), 700, 1.9);  // captured at 1.2 s: slot 1
  r.add_detections(from("b", 1), 50, 1.3);
  auto delay = r.to_json(2.0)["overall"]["system_delay_ms"];
  EXPECT_EQ(delay["slots"], 2);
  EXPECT_DOUBLE_EQ(delay["mean"].get<double>(), 550);  // (400 + 700) / 2
  EXPECT_FALSE(run_report(0).to_json(2.0)["overall"].contains("system_delay_ms"));
}

// Emulated GPUs: the latest of each, its utilisation over the run, in JSON and table.
TEST(RunReport, GpusGiveUtilisationOverTheRun) {
  run_report r(200);
  msg::GpuStats g;
  g.set_node("edge-1");
  g.set_device("xavier");
  g.set_index(0);
  g.set_arch("sm_72");
  g.set_busy_ms(1000);
  g.set_replicas(2);
  g.set_inferences(40);
  g.set_memory_used_mb(665);
  g.set_memory_mb(8192);
  r.add_gpu(g);
  g.set_busy_ms(2500);  // the latest replaces the earlier
  r.add_gpu(g);
  auto j = r.to_json(10);
  auto& gpu = j["gpus"]["edge-1/xavier/0"];
  EXPECT_EQ(gpu["arch"], "sm_72");
  EXPECT_DOUBLE_EQ(gpu["utilisation"].get<double>(), 0.25);
  EXPECT_EQ(gpu["replicas"], 2);
  auto table = r.table(10);
  EXPECT_NE(table.find("edge-1/xavier/0"), std::string::npos);
  EXPECT_NE(table.find("25%"), std::string::npos);
  EXPECT_NE(table.find("665/8192"), std::string::npos);
}
