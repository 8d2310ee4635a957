// Emulated links: transfer times queued per link, and sends between real nodes held
// back by them, under the real and the emulated clock.
#include <gtest/gtest.h>

#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/emulation/link_shaper.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "test_support.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

TEST(LinkQueue, TransfersQueueBehindEachOther) {
  link_queue q(link_model(8, 10));  // 8 Mbit/s = 1 MB/s, 10 ms
  EXPECT_NEAR(q.arrival_s(0, 1e5), 0.11, 1e-9);
  EXPECT_NEAR(q.arrival_s(0.05, 1e5), 0.21, 1e-9);  // waits for the first to leave at 0.1
  EXPECT_NEAR(q.arrival_s(1.0, 1e5), 1.11, 1e-9);   // the link is idle again
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
