// The placement actor's books: ROOMIE (Alg. 3) keeps heavy models apart, a replica no
// GPU has room for waits and is spawned when one leaves, the deferred queue is bounded,
// refusals say why, and the autoscaler adds a replica of a model that stays busy.
#include <gtest/gtest.h>

#include <cmath>

#include "actors/common/stats_check.hpp"
#include "actors/roomie/core/placement_book.hpp"
#include "actors/roomie/message_checks.hpp"
#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"

using namespace troupe::gpu;
using namespace troupe::roomie;

namespace {

std::map<std::string, model_profile> xavier_models() {
  static auto archs = load_gpu_archs(std::string(TROUPE_SOURCE_DIR) + "/gpu/arch_limits.yaml");
  std::map<std::string, model_profile> out;
  for (auto name : {"detector-m-i640", "detector-n-i320", "detector-s-i320"})
    out.emplace(name, profile_of(read_kernel_trace(std::string(TROUPE_SOURCE_DIR) + "/topologies/kernels/derived/sm_72/" +
                                                   name + "-b1.csv"),
                                 find_arch(archs, "sm_72")));
  return out;
}

// Two GPUs of `mb` each.
placement_book book(double mb, placement_settings s = {}) {
  return placement_book({{"a", 0, mb, {}}, {"a", 1, mb, {}}}, xavier_models(), placement_kind::roomie, s);
}

replica_request heavy(const std::string& name) { return {name, "detector-m-i640", "{ model: mog2 }"}; }
replica_request light(const std::string& name) { return {name, "detector-n-i320", ""}; }

using K = placement_decision::kind;

}  // namespace

TEST(PlacementBook, RoomieKeepsHeavyModelsApart) {
  auto b = book(8192);
  auto h1 = b.place(heavy("h1")), h2 = b.place(heavy("h2")), l1 = b.place(light("l1")), l2 = b.place(light("l2"));
  for (auto* d : {&h1, &h2, &l1, &l2})
    ASSERT_EQ(d->what, K::spawn) << d->why;
  EXPECT_NE(h1.gpu, h2.gpu);
  EXPECT_NE(l1.gpu, l2.gpu);
  EXPECT_GT(l2.mean_drop, 0);  // beside a heavy model, the estimate sees some slowdown
  EXPECT_EQ(b.gpu_of("h2"), h2.gpu);
  EXPECT_EQ(b.cluster()[0].hosted.size() + b.cluster()[1].hosted.size(), 4u);
}

// 700 MB GPUs hold one heavy (360 MB) and one light (305 MB) each: a fifth waits, and
// takes the room the first to leave frees; the queue holds max_deferred.
TEST(PlacementBook, AReplicaWithNoRoomWaitsForOneToLeave) {
  placement_settings s;
  s.max_deferred = 1;
  auto b = book(700, s);
  for (auto& r : {heavy("h1"), heavy("h2"), light("l1"), light("l2")})
    ASSERT_EQ(b.place(r).what, K::spawn);
  auto waiting = b.place(light("l3"));
  EXPECT_EQ(waiting.what, K::deferred);
  EXPECT_EQ(b.deferred(), 1u);
  EXPECT_TRUE(b.retry().empty());  // nothing left yet
  auto full = b.place(light("l4"));
  EXPECT_EQ(full.what, K::refused);
  EXPECT_EQ(full.why, "no GPU for it now and 1 deferred already (max_deferred)");
  auto freed = b.leave("l2");
  ASSERT_EQ(freed.size(), 1u);
  EXPECT_EQ(freed[0].what, K::spawn);
  EXPECT_EQ(freed[0].request.replica, "l3");
  EXPECT_EQ(freed[0].gpu, *b.gpu_of("l3"));
  EXPECT_EQ(b.deferred(), 0u);
  EXPECT_FALSE(b.gpu_of("l2"));
}

TEST(PlacementBook, RefusalsSayWhy) {
  auto b = book(200);  // no GPU could hold any of these models
  auto d = b.place(heavy("h1"));
  EXPECT_EQ(d.what, K::refused);
  EXPECT_NE(d.why.find("detector-m-i640"), std::string::npos) << d.why;
  auto ok = book(8192);
  EXPECT_EQ(ok.place(heavy("h1")).what, K::spawn);
  EXPECT_EQ(ok.place(heavy("h1")).why, "replica 'h1' is placed already");
  EXPECT_EQ(ok.place({"x", "resnet", ""}).why,
            "no kernel trace of model 'resnet' (known: detector-m-i640, detector-n-i320, detector-s-i320)");
  placement_settings bad;
  bad.lambda = std::nan("");
  EXPECT_THROW(book(8192, bad), std::invalid_argument);
  EXPECT_THROW(placement_book({}, xavier_models(), placement_kind::roomie, {}), std::invalid_argument);
}

// λ bounds a GPU's μ̄: with λ tiny, a second model goes to the empty GPU and a third
// waits, as Alg. 3 defers.
TEST(PlacementBook, LambdaDefersAReplicaEveryGpuWouldSufferFrom) {
  placement_settings s;
  s.lambda = 1e-6;
  auto b = book(8192, s);
  EXPECT_EQ(b.place(heavy("h1")).what, K::spawn);
  EXPECT_EQ(b.place(heavy("h2")).what, K::spawn);
  EXPECT_EQ(b.place(heavy("h3")).what, K::deferred);
}

TEST(PlacementBook, AModelBusyForTwoSecondsGetsOneMoreReplica) {
  placement_settings s;
  s.max_replicas = 3;
  auto b = book(8192, s);
  ASSERT_EQ(b.place(heavy("h1")).what, K::spawn);
  ASSERT_EQ(b.place(heavy("h2")).what, K::spawn);
  EXPECT_FALSE(b.load("h1", 0.95, 10.0));
  EXPECT_FALSE(b.load("h2", 0.6, 10.5));   // mean 0.775: not above 0.8, the clock restarts
  EXPECT_FALSE(b.load("h2", 0.9, 11.0));   // mean 0.925 from 11 s
  EXPECT_FALSE(b.load("h1", 0.95, 12.5));  // 1.5 s
  auto more = b.load("h1", 0.95, 13.0);    // 2 s
  ASSERT_TRUE(more);
  EXPECT_EQ(more->replica, "detector-m-i640-auto-1");
  EXPECT_EQ(more->params_yaml, "{ model: mog2 }");  // the first replica's parameters
  ASSERT_EQ(b.place(*more).what, K::spawn);
  EXPECT_FALSE(b.load("detector-m-i640-auto-1", 0.95, 14.0));  // busy still: a new window from 14 s
  EXPECT_FALSE(b.load("h1", 0.95, 16.5));  // 2.5 s, but three of max_replicas 3
  EXPECT_FALSE(b.load("l9", 0.99, 30.0));  // not booked
}

// What the placement and the query source take from the bus: names that stay names
// (they become actor and trace file names), a finite μ̄, and busy time that grows no
// faster than time (a forged one could make the autoscaler add replicas).
TEST(RoomieChecks, RequestsAndRepliesNameReplicasAndModels) {
  troupe::msg::roomie::PlaceRequest r;
  r.set_replica("detector-n-i320-5");
  r.set_model("detector-n-i320");
  EXPECT_FALSE(check_request(r));
  r.set_model("../../etc/passwd");
  EXPECT_EQ(check_request(r), troupe::refusal::out_of_range);
  r.clear_model();
  EXPECT_EQ(check_request(r), troupe::refusal::missing_field);
  r.set_model("detector-n-i320");
  r.set_params_yaml(std::string(max_params_bytes + 1, ' '));
  EXPECT_EQ(check_request(r), troupe::refusal::out_of_range);

  troupe::msg::roomie::PlacementTable t;
  auto* p = t.add_placed();
  p->set_replica("detector-n-i320-1");
  p->set_model("detector-n-i320");
  p->set_mean_drop(0.2);
  EXPECT_FALSE(check_reply(*p));
  EXPECT_FALSE(check_table(t));
  p->set_mean_drop(std::nan(""));
  EXPECT_EQ(check_table(t), troupe::refusal::out_of_range);
}

TEST(RoomieChecks, BusyTimeGrowsNoFasterThanTime) {
  EXPECT_FALSE(check_busy(1500, 1000, 1000, 1));   // half busy
  EXPECT_FALSE(check_busy(4000, 1000, 1000, 1));   // a long batch completed, the stats late on the bus
  EXPECT_FALSE(check_busy(12000, 1000, 1000, 2));  // two workers
  EXPECT_EQ(check_busy(8000, 1000, 1000, 1), troupe::refusal::out_of_range);  // 7 s busy in 1 s
  EXPECT_EQ(check_busy(1e9, 1000, 1000, 100000), troupe::refusal::out_of_range);  // "100 000 workers"
  EXPECT_FALSE(check_busy(10, 1000, 1000, 1));     // restarted: counts from 0 again
  EXPECT_EQ(check_busy(-1, 0, 1000, 1), troupe::refusal::out_of_range);
  EXPECT_EQ(check_busy(std::nan(""), 0, 1000, 1), troupe::refusal::out_of_range);
  troupe::msg::ReplicaStats st;
  st.set_replica("det");
  st.set_busy_ms(10);
  EXPECT_FALSE(troupe::check_replica_stats(st, "det"));
  EXPECT_EQ(troupe::check_replica_stats(st, "other"), troupe::refusal::forged_sender);
  st.set_gpu_drop_mean(-1e-4);  // alone on its GPU, rounded
  EXPECT_FALSE(troupe::check_replica_stats(st, "det"));
  st.set_energy_j(-3);
  EXPECT_EQ(troupe::check_replica_stats(st, "det"), troupe::refusal::out_of_range);
}
