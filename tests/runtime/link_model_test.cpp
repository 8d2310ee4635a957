#include <gtest/gtest.h>

#include <fstream>

#include "actors/runtime/emulation/link_model.hpp"

using namespace troupe;

TEST(LinkModel, FixedBandwidthIsSizeOverBandwidthPlusLatency) {
  link_model l(16, 5);  // the ReMO paper's camera → server link
  // 1 MB = 8 Mbit at 16 Mbit/s = 0.5 s, plus 5 ms.
  EXPECT_NEAR(l.transfer_time_s(1e6), 0.505, 1e-12);
  EXPECT_NEAR(l.transfer_time_s(0), 0.005, 1e-12);
  EXPECT_THROW(link_model(0, 1), std::invalid_argument);
}

TEST(LinkModel, TraceIsIntegratedAcrossSegments) {
  // 8 Mbit/s for 1 s, then 2 Mbit/s for 1 s, repeating (period 2 s).
  link_model l({{0, 8}, {1, 2}}, 0);
  EXPECT_DOUBLE_EQ(l.bandwidth_mbps_at(0.5), 8);
  EXPECT_DOUBLE_EQ(l.bandwidth_mbps_at(1.5), 2);
  EXPECT_DOUBLE_EQ(l.bandwidth_mbps_at(2.5), 8);  // repeats
  // 1 MB (8 Mbit) from t=0: exactly the first segment.
  EXPECT_NEAR(l.transfer_time_s(1e6, 0), 1.0, 1e-9);
  // 1.25 MB (10 Mbit) from t=0: 8 Mbit in 1 s, 2 Mbit at 2 Mbit/s in 1 s.
  EXPECT_NEAR(l.transfer_time_s(1.25e6, 0), 2.0, 1e-9);
  // 0.5 MB (4 Mbit) from t=0.75: 2 Mbit by t=1, then 2 Mbit at 2 Mbit/s: 1.25 s.
  EXPECT_NEAR(l.transfer_time_s(0.5e6, 0.75), 1.25, 1e-9);
}

TEST(LinkModel, TraceLatencyColumnReplacesTheLinksLatency) {
  // 8 Mbit/s at 40 ms for 1 s, then 8 Mbit/s at the link's own 10 ms.
  link_model l({{0, 8, 40}, {1, 8}}, 10);
  EXPECT_NEAR(l.transfer_time_s(1e5, 0.2), 0.04 + 0.1, 1e-9);  // 0.8 Mbit in 0.1 s
  EXPECT_NEAR(l.transfer_time_s(1e5, 1.2), 0.01 + 0.1, 1e-9);
  EXPECT_NEAR(l.latency_s_at(2.5), 0.04, 1e-12);  // the trace repeats
  auto file = testing::TempDir() + "/latency-trace.csv";
  std::ofstream(file) << "0,8,40\n1,8\n";
  auto trace = load_bandwidth_trace(file);
  ASSERT_EQ(trace.size(), 2u);
  EXPECT_DOUBLE_EQ(trace[0].latency_ms, 40);
  EXPECT_LT(trace[1].latency_ms, 0);
  std::ofstream(file) << "0,8,-3\n";
  EXPECT_THROW(load_bandwidth_trace(file), std::runtime_error);
}

// Links that share one trace file but start at other points of it: the same trace,
// shifted, and repeating as before.
TEST(LinkModel, TraceOffsetStartsTheLinkLaterInItsTrace) {
  std::vector<bandwidth_sample> trace{{0, 8}, {1, 2}, {2, 4}};  // period 3 s
  link_model at_start(trace, 0), one_in(trace, 0, 1), wrapped(trace, 0, 7);
  EXPECT_DOUBLE_EQ(one_in.bandwidth_mbps_at(0), 2);
  EXPECT_DOUBLE_EQ(one_in.bandwidth_mbps_at(1.5), 4);
  EXPECT_DOUBLE_EQ(one_in.bandwidth_mbps_at(2.5), 8);  // the trace repeats
  EXPECT_DOUBLE_EQ(wrapped.bandwidth_mbps_at(0), 2);   // 7 s in = 1 s into the second period
  // 0.5 MB (4 Mbit) from 0: 2 Mbit at 2 Mbit/s in 1 s, then 2 Mbit at 4 Mbit/s in 0.5 s.
  EXPECT_NEAR(one_in.transfer_time_s(0.5e6, 0), 1.5, 1e-9);
  EXPECT_NEAR(at_start.transfer_time_s(0.5e6, 1), one_in.transfer_time_s(0.5e6, 0), 1e-9);
  EXPECT_THROW(link_model(trace, 0, -1), std::invalid_argument);
}

TEST(LinkModel, TraceValidation) {
  EXPECT_THROW(link_model({{1, 8}}, 0), std::invalid_argument);          // not from 0
  EXPECT_THROW(link_model({{0, 8}, {0, 2}}, 0), std::invalid_argument);  // times must rise
  EXPECT_THROW(link_model({{0, 0}, {1, 0}}, 0), std::invalid_argument);  // carries nothing
}

TEST(LinkModel, TraceFileWithErrorsNamingTheLine) {
  auto path = std::string(::testing::TempDir()) + "/lte.csv";
  std::ofstream(path) << "# time_s,bandwidth_mbps\n0,12.5\n0.5, 3\n\n1.5,20 # recovered\n";
  auto trace = load_bandwidth_trace(path);
  ASSERT_EQ(trace.size(), 3u);
  EXPECT_DOUBLE_EQ(trace[1].time_s, 0.5);
  EXPECT_DOUBLE_EQ(trace[1].bandwidth_mbps, 3);
  std::ofstream(path) << "0,12\nsoon,3\n";
  try {
    load_bandwidth_trace(path);
    ADD_FAILURE() << "accepted a bad line";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), path + ":2: expected 'time_s,bandwidth_mbps' or 'time_s,bandwidth_mbps,latency_ms'");
  }
  EXPECT_THROW(load_bandwidth_trace(path + ".missing"), std::runtime_error);
}
