// Emulated links: transfer times queued per link, and sends between real nodes held
// back by them, under the real and the emulated clock.
#include <thread>

#include <gtest/gtest.h>

#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/emulation/link_shaper.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "test_support.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

TEST(LinkQueue, TransfersQueueBehindEachOther) {
  link_queue q(link_model(8, 10));  // 8 Mbit/s = 1 MB/s, 10 ms
  EXPECT_NEAR(q.arrival_s(0, 1e5).value(), 0.11, 1e-9);
  EXPECT_NEAR(q.arrival_s(0.05, 1e5).value(), 0.21, 1e-9);  // waits for the first to leave at 0.1
  EXPECT_NEAR(q.arrival_s(1.0, 1e5).value(), 1.11, 1e-9);   // the link is idle again
}

// Penance's uploads (penance.txt §2.1.2): one that would finish after its deadline is
// cut there; the link carried its first part until then.
TEST(LinkQueue, ATransferPastItsDeadlineIsCutThere) {
  link_queue q(link_model(8, 10));
  EXPECT_FALSE(q.arrival_s(0, 1e5, 0.05));                // would arrive at 0.11
  EXPECT_NEAR(q.arrival_s(0, 1e5).value(), 0.16, 1e-9);    // starts when the cut one stopped, 0.05
  EXPECT_FALSE(q.arrival_s(0.1, 1e3, 0.12));               // cannot start before 0.15: never starts...
  EXPECT_NEAR(q.arrival_s(0.1, 1e5, 0.3).value(), 0.26, 1e-9);  // ...and takes nothing from the link
}

namespace {

double delivery_ms(double time_scale, bool with_link, size_t bytes) {
  nats_server server;
  auto clock = make_clock(time_scale, make_real_clock()->now_ns());
  auto ca = config_for("a", server.url());
  ca.time = clock;
  if (with_link)
    ca.links.emplace_back("b", link_model(8, 50));
  auto cb = config_for("b", server.url());
  cb.time = clock;
  node a(ca), b(cb);
  caf::scoped_actor self{b.system()};
  EXPECT_TRUE(b.spawn_function("probe", probe, caf::actor{self}));
  EXPECT_TRUE(eventually([&] { return a.host_of("probe").has_value(); }));
  msg::Blob blob;
  blob.set_data(std::string(bytes, 'x'));
  auto sent = std::chrono::steady_clock::now();
  EXPECT_FALSE(a.send("probe", blob));
  auto got = next_letter(self, 5s);
  EXPECT_TRUE(got);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - sent).count();
}

}  // namespace

TEST(LinkShaper, SendsTakeSizeOverBandwidthPlusLatency) {
  // 100 kB over 1 MB/s plus 50 ms: 150 ms at least, however fast the machine.
  EXPECT_GE(delivery_ms(1, true, 100'000), 150);
}

TEST(LinkShaper, TheEmulatedClockStretchesTransfers) {
  EXPECT_GE(delivery_ms(2, true, 100'000), 300);
}

TEST(LinkShaper, NodesWithoutALinkAreNotHeldBack) {
  EXPECT_LT(delivery_ms(1, false, 100'000), 150);
}

// A node's shaped interfaces (tc tbf): every flow out of or into the node shares one.
namespace {

constexpr size_t blob_bytes = 10'000;

msg::Blob blob() {
  msg::Blob b;
  b.set_data(std::string(blob_bytes, 'x'));
  return b;
}

// A probe on `n` forwarding to a scoped actor on the same node.
struct probe_on {
  probe_on(node& n, const std::string& name) : self(n.system()) {
    EXPECT_TRUE(n.spawn_function(name, probe, caf::actor{self}));
  }
  int receive(int count, std::chrono::milliseconds timeout) {
    int got = 0;
    while (got < count && next_letter(self, timeout))
      ++got;
    return got;
  }
  caf::scoped_actor self;
};

// Ten blobs on each flow (sender, receiving actor), interleaved, each accepted.
void ten_each(std::initializer_list<std::pair<node*, const char*>> flows) {
  for (int i = 0; i < 10; ++i)
    for (auto& [from, to] : flows)
      EXPECT_FALSE(from->send(to, blob()));
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST(SharedInterface, TwoFlowsThroughOneUplinkShareIt) {
  nats_server server;
  auto ca = config_for("a", server.url());
  ca.uplink = token_bucket(parse_tbf("rate 800kbit burst 10kb latency 10s"));  // 100 kB/s
  node a(ca), b(config_for("b", server.url())), c(config_for("c", server.url()));
  probe_on at_b(b, "pb"), at_c(c, "pc");
  ASSERT_TRUE(eventually([&] { return a.host_of("pb") && a.host_of("pc"); }));
  auto sent = std::chrono::steady_clock::now();
  ten_each({{&a, "pb"}, {&a, "pc"}});
  EXPECT_EQ(at_b.receive(10, 10s), 10);
  EXPECT_EQ(at_c.receive(10, 10s), 10);
  // Either flow alone is through in about 1 s; through one uplink both take about 2 s.
  EXPECT_GE(ms_since(sent), 1600);
  EXPECT_EQ(a.stats().uplink_messages, 20u);
}

TEST(SharedInterface, ABurstBeyondTheUplinksBoundIsDroppedAndCounted) {
  nats_server server;
  auto ca = config_for("a", server.url());
  ca.uplink = token_bucket(parse_tbf("rate 80kbit burst 10kb limit 30kb"));  // 10 kB/s, 30 KiB of queue
  node a(ca), b(config_for("b", server.url()));
  probe_on at_b(b, "pb");
  ASSERT_TRUE(eventually([&] { return a.host_of("pb").has_value(); }));
  int refused = 0;
  for (int i = 0; i < 10; ++i)
    if (auto err = a.send("pb", blob()))
      refused += is(err, errc::link_dropped) ? 1 : 100;  // any other failure fails the count below
  // The first goes on the burst, about three more fit in the queue, the rest are dropped.
  EXPECT_GE(refused, 5);
  EXPECT_LE(refused, 7);
  EXPECT_EQ(a.stats().uplink_dropped, uint64_t(refused));
  EXPECT_EQ(at_b.receive(10 - refused, 10s), 10 - refused);
  EXPECT_FALSE(next_letter(at_b.self, 300ms));  // nothing more: dropped means gone
}

TEST(SharedInterface, FlowsFromTwoNodesShareTheReceiversDownlink) {
  nats_server server;
  auto cb = config_for("b", server.url());
  cb.downlink = token_bucket(parse_tbf("rate 800kbit burst 10kb latency 10s"));  // 100 kB/s
  node a(config_for("a", server.url())), b(cb), c(config_for("c", server.url()));
  probe_on at_b(b, "pb");
  ASSERT_TRUE(eventually([&] { return a.host_of("pb") && c.host_of("pb"); }));
  auto sent = std::chrono::steady_clock::now();
  ten_each({{&a, "pb"}, {&c, "pb"}});
  EXPECT_EQ(at_b.receive(20, 10s), 20);
  EXPECT_GE(ms_since(sent), 1600);
  EXPECT_EQ(b.stats().downlink_messages, 20u);
}

// What a scheduler reads (ReMO's eq. 4): the rate each shaped interface offers now,
// following its trace; an unshaped direction offers nothing to read.
TEST(SharedInterface, OfferedRatesFollowTheTrace) {
  auto time = make_real_clock();
  link_shaper shaper(time, time->now_ns());
  EXPECT_EQ(shaper.offered_rates().uplink_mbps, 0);
  shaper.set_uplink(token_bucket(parse_tbf("rate 10mbit burst 10kb latency 1s"), {{0, 10}, {1.0, 2}, {60, 2}}));
  EXPECT_EQ(shaper.offered_rates().uplink_mbps, 10);  // a second of slack on a loaded machine
  EXPECT_EQ(shaper.offered_rates().downlink_mbps, 0);
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(shaper.offered_rates().uplink_mbps, 2);
}

// A send with a deadline its link cannot meet is refused as cut, counted, and never
// arrives; the same send with time to spare arrives.
TEST(LinkShaper, ASendPastItsDeadlineIsCutAndCounted) {
  nats_server server;
  auto ca = config_for("a", server.url());
  ca.links.emplace_back("b", link_model(8, 10));  // 1 MB/s
  node a(ca), b(config_for("b", server.url()));
  probe_on at_b(b, "pb");
  ASSERT_TRUE(eventually([&] { return a.host_of("pb").has_value(); }));
  auto uploader = a.make_context("uploader");
  msg::Blob big;
  big.set_data(std::string(100'000, 'x'));  // 100 ms on the link
  auto err = uploader.send_by("pb", big, uploader.now_ns() + 50'000'000);
  EXPECT_TRUE(is(err, errc::link_cut)) << describe(err);
  EXPECT_EQ(a.stats().link_cuts, 1u);
  EXPECT_GT(a.stats().link_cut_bytes, 100'000);
  EXPECT_FALSE(next_letter(at_b.self, 300ms));
  EXPECT_FALSE(uploader.send_by("pb", big, uploader.now_ns() + 2'000'000'000));
  EXPECT_EQ(at_b.receive(1, 5s), 1);
  EXPECT_EQ(a.stats().link_cuts, 1u);
}
