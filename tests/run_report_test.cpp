// The run report against hand-computed cases: accuracy whichever of truth and
// detections arrives first, frames without result, SLO misses, replicas, files.
#include <gtest/gtest.h>

#include <filesystem>

#include "actors/run_report.hpp"

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
  r.add_replica(a);
  r.add_replica(b);
  auto j = r.to_json(2.0);
  EXPECT_EQ(j["replicas"]["a"]["dropped_full"], 3);
  EXPECT_NEAR(j["load_balance_index"].get<double>(), 0.04, 1e-12);  // variance of 0.5 and 0.1
  auto table = r.table(2.0);
  EXPECT_NE(table.find("load-balance index"), std::string::npos);
  EXPECT_NE(table.find("  3  "), std::string::npos) << table;
}

TEST(RunReport, WritesJsonAndAPlot) {
  run_report r(0);
  r.add_detections(found(0), 40, 0.5);
  auto prefix = std::string(::testing::TempDir()) + "/report";
  auto files = r.write(prefix, 1.0);
  ASSERT_GE(files.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(prefix + ".json"));
  EXPECT_TRUE(std::filesystem::exists(prefix + "-latency.png"));  // gnuplot is a dependency
}
