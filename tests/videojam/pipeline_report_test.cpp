// VideoJam's run accounting: losses of every kind add up, a restarted replica's earlier
// totals are kept, a failed replica's queue is counted as lost.
#include <gtest/gtest.h>

#include "actors/videojam/pipeline_report.hpp"

using namespace troupe;

namespace {

msg::videojam::FunctionStats stats(const std::string& replica, uint64_t arrived, uint64_t processed, uint64_t dropped,
                         uint32_t queue, uint64_t unrouted = 0) {
  msg::videojam::FunctionStats s;
  s.set_replica(replica);
  s.set_function("ocr");
  s.set_arrived(arrived);
  s.set_processed(processed);
  s.set_dropped_full(dropped);
  s.set_queue_length(queue);
  s.set_dropped_unrouted(unrouted);
  s.set_emitted(processed);
  return s;
}

}  // namespace

TEST(PipelineReport, LossIsEveryDroppedItemOverEveryOfferedOne) {
  pipeline_report r;
  r.add_stats(stats("a", 100, 80, 10, 10, 5));
  r.add_stats(stats("b", 50, 50, 0, 0));
  auto t = r.totals();
  EXPECT_EQ(t.offered, 155u);  // arrivals plus the items nobody could take
  EXPECT_EQ(t.lost, 15u);
  EXPECT_NEAR(t.loss_rate, 15.0 / 155.0, 1e-12);
}

TEST(PipelineReport, FailedReplicaLosesItsQueueAndRestartKeepsTotals) {
  pipeline_report r;
  r.add_stats(stats("a", 100, 80, 10, 7));
  r.replica_down("a");                     // its 7 queued items went with it
  r.add_stats(stats("a", 20, 20, 1, 0));   // restarted: counters begin again
  auto t = r.totals();
  EXPECT_EQ(t.offered, 120u);
  EXPECT_EQ(t.dropped_full, 11u);
  EXPECT_EQ(t.lost_to_failures, 7u);
  EXPECT_EQ(t.lost, 18u);
  r.add_stats(stats("a", 5, 5, 0, 0));     // a restart noticed by counters going back
  EXPECT_EQ(r.totals().offered, 125u);
  EXPECT_TRUE(r.json(1)["replicas"]["a"]["restarted"].get<bool>());
}

namespace {

msg::videojam::PipelineResult result(const std::string& camera, uint32_t objects) {
  msg::videojam::PipelineResult r;
  r.set_camera(camera);
  r.set_objects(objects);
  return r;
}

msg::videojam::FunctionStats camera(const std::string& name, uint64_t frames, uint64_t objects) {
  msg::videojam::FunctionStats s;
  s.set_replica(name);
  s.set_function("camera");
  s.set_emitted(frames);
  s.set_objects_emitted(objects);
  return s;
}

}  // namespace

TEST(PipelineReport, CountsResultsLaterThanTheSloAndObjectsAgainstTheOffered) {
  pipeline_report r(200);
  r.add_stats(camera("c1", 10, 12));
  r.add_stats(camera("c2", 10, 8));
  r.add_result(result("c1", 3), 100, 0.5);
  r.add_result(result("c1", 4), 250, 0.6);   // late
  r.add_result(result("c2", 5), 150, 0.7);
  r.add_result(result("c2", 1), 201, 0.8);   // late
  auto t = r.totals();
  EXPECT_DOUBLE_EQ(t.slo_miss_rate, 0.5);
  EXPECT_EQ(t.objects_delivered, 13u);
  EXPECT_EQ(t.objects_offered, 20u);
  auto cams = r.per_camera();
  EXPECT_EQ(cams["c1"].objects_delivered, 7u);
  EXPECT_EQ(cams["c1"].objects_offered, 12u);
  EXPECT_DOUBLE_EQ(cams["c1"].slo_miss_rate, 0.5);
  EXPECT_DOUBLE_EQ(cams["c2"].response_mean_ms, 175.5);
  auto j = r.json(2);
  EXPECT_DOUBLE_EQ(j["overall"]["objects_per_s"].get<double>(), 6.5);
  EXPECT_DOUBLE_EQ(j["overall"]["ideal_objects_per_s"].get<double>(), 10);
  EXPECT_NE(r.table(2).find("65.0% of ideal"), std::string::npos);
}

TEST(PipelineReport, WithoutAnSloNothingMissesIt) {
  pipeline_report r;
  r.add_result(result("c1", 0), 5000, 0.5);
  EXPECT_DOUBLE_EQ(r.totals().slo_miss_rate, 0);
  EXPECT_EQ(r.table(1).find("SLO"), std::string::npos);
}

TEST(PipelineReport, ItemsAnUplinkDroppedAreLostByTheirOwnCause) {
  pipeline_report r;
  auto s = stats("a", 100, 90, 0, 0);
  s.set_dropped_link(7);
  r.add_stats(s);
  auto t = r.totals();
  EXPECT_EQ(t.dropped_link, 7u);
  EXPECT_EQ(t.lost, 7u);
  EXPECT_EQ(r.json(1)["overall"]["dropped_link"].get<int>(), 7);
  EXPECT_NE(r.table(1).find("7 dropped by uplinks"), std::string::npos);
}
