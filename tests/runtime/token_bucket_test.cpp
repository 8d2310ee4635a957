// A node's shaped interface as tc's tbf: the words the papers printed, the shared rate,
// the burst an idle interface sends at once, and the tail drop at the queue bound.
#include <gtest/gtest.h>

#include "actors/runtime/emulation/tbf.hpp"
#include "actors/runtime/emulation/token_bucket.hpp"

using namespace troupe;

TEST(TbfSettings, ReadsThePapersWordsWithTcsUnits) {
  auto t = parse_tbf("rate 1gbit burst 16kbit latency 10ms");  // VideoJam's testbed (§3.5.1)
  EXPECT_DOUBLE_EQ(t.rate_bytes_s, 125e6);
  EXPECT_DOUBLE_EQ(t.burst_bytes, 2048);  // tc's sizes count in 1024s: 16 kbit = 2 KiB
  EXPECT_DOUBLE_EQ(t.latency_s, 0.01);
  EXPECT_DOUBLE_EQ(t.limit_at(t.rate_bytes_s), 125e6 * 0.01 + 2048);  // limit = rate × latency + burst
  auto u = parse_tbf("rate 10kbps buffer 32kb limit 100k");  // kbps: kilobytes; buffer: burst's synonym
  EXPECT_DOUBLE_EQ(u.rate_bytes_s, 10e3);
  EXPECT_DOUBLE_EQ(u.burst_bytes, 32768);
  EXPECT_DOUBLE_EQ(u.limit_at(1), 102400);  // a byte limit does not follow the rate
}

TEST(TbfSettings, RefusesWhatTcWouldRefuse) {
  for (auto* bad : {"burst 16kbit latency 10ms",              // no rate
                    "rate 1gbit latency 10ms",                // no burst
                    "rate 1gbit burst 16kbit",                // neither latency nor limit
                    "rate 1gbit burst 16kbit latency 1ms limit 2k",
                    "rate 1gbits burst 16kbit latency 10ms",  // unknown unit
                    "rate 1gbit burst 16kbit latency 10ms peakrate 2gbit",
                    "rate -1mbit burst 1k limit 1k", "rate 1mbit burst"})
    EXPECT_THROW(parse_tbf(bad), std::runtime_error) << bad;
}

namespace {

tbf_settings kb_per_s(double rate_kb, double burst_bytes, double limit_bytes) {
  tbf_settings t;
  t.rate_bytes_s = rate_kb * 1000;
  t.burst_bytes = burst_bytes;
  t.limit_bytes = limit_bytes;
  return t;
}

}  // namespace

TEST(TokenBucket, AnIdleInterfaceSendsItsBurstAtOnce) {
  token_bucket b(kb_per_s(1, 500, 1e6));
  EXPECT_DOUBLE_EQ(*b.departure_s(0, 400), 0);    // within the bucket
  EXPECT_DOUBLE_EQ(*b.departure_s(0, 600), 0.5);  // 100 tokens left, 500 bytes at 1 kB/s
  EXPECT_DOUBLE_EQ(*b.departure_s(10, 500), 10);  // the bucket refilled, up to its size
}

TEST(TokenBucket, FlowsThroughOneInterfaceShareItsRate) {
  token_bucket b(kb_per_s(10, 1, 1e6));  // 10 kB/s, no burst to speak of
  double last_a = 0, last_b = 0;
  for (int i = 0; i < 10; ++i) {  // two flows of ten 1 kB messages, handed over together
    last_a = *b.departure_s(0, 1000);
    last_b = *b.departure_s(0, 1000);
  }
  // Each flow alone would be through in 1 s; sharing, both take nearly 2 s.
  EXPECT_NEAR(last_a, 1.9, 1e-3);
  EXPECT_NEAR(last_b, 2.0, 1e-3);
}

TEST(TokenBucket, ABurstBeyondTheQueueBoundIsDroppedAndCounted) {
  token_bucket b(kb_per_s(1, 100, 3000));
  int dropped = 0;
  for (int i = 0; i < 6; ++i)
    dropped += b.departure_s(0, 1000).has_value() ? 0 : 1;
  // The first goes on 100 bytes of burst and 0.9 s; two more fit behind it in the
  // 3 kB queue (1.9 and 2.9 kB); the other three find it full.
  EXPECT_EQ(dropped, 3);
  EXPECT_EQ(b.counts().dropped, 3u);
  EXPECT_DOUBLE_EQ(b.counts().dropped_bytes, 3000);
  EXPECT_EQ(b.counts().messages, 3u);
  EXPECT_TRUE(b.departure_s(10, 1000).has_value());  // drained: taken again
}

TEST(TokenBucket, AMessageFindingTheQueueEmptyIsTakenWhateverItsSize) {
  token_bucket b(kb_per_s(1, 100, 500));
  EXPECT_NEAR(*b.departure_s(0, 2100), 2.0, 1e-9);  // larger than the whole bound
  EXPECT_FALSE(b.departure_s(0.5, 100).has_value());  // but nothing fits behind it
}

TEST(TokenBucket, ATraceDrivesTheRateAndALatencyBoundFollowsIt) {
  tbf_settings t = parse_tbf("rate 8kbit burst 1b latency 1s");  // the trace replaces the rate
  token_bucket b(t, {{0, 0.008}, {10, 0.016}});                   // 1 kB/s, then 2 kB/s from 10 s
  EXPECT_NEAR(*b.departure_s(9, 2000), 10.5, 1e-3);  // 1 kB in the first second, 1 kB at 2 kB/s
  // At 2 kB/s the bound is 2 kB + 1 byte: 2 kB behind the 1 kB still queued is dropped, 1 kB fits.
  EXPECT_FALSE(b.departure_s(10, 2000).has_value());
  EXPECT_TRUE(b.departure_s(10, 1000).has_value());
}

// A trace's latency column is the links': an interface sends back to back whatever
// latency the trace gives (here 100 ms), or it could pass only ten messages a second.
TEST(TokenBucket, ATracesLatencyDoesNotHoldTheInterface) {
  tbf_settings t = parse_tbf("rate 8kbit burst 1b latency 1s");
  token_bucket b(t, {{0, 0.008, 100}});  // 1 kB/s, 100 ms
  EXPECT_NEAR(*b.departure_s(0, 100), 0.099, 1e-6);  // the 1-byte burst, 99 bytes at 1 kB/s, no latency added
  EXPECT_NEAR(*b.departure_s(0, 100), 0.199, 1e-6);
}
