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
