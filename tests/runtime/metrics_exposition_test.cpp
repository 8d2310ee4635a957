// Prometheus's text exposition format as Troupe writes it (issue 21, item 1): families
// under their HELP and TYPE, labels escaped, histograms cumulative with +Inf, names
// Prometheus would refuse refused here.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "actors/runtime/metrics/exposition.hpp"

using namespace troupe::metrics;

TEST(MetricsExposition, CountersAndGaugesUnderTheirHelpAndType) {
  exposition e;
  e.counter("troupe_node_envelopes_received_total", "Envelopes the node took off the bus.", {{"node", "edge"}}, 12);
  e.gauge("troupe_replica_busy_ratio", "Share of the last interval the replica computed.", {{"replica", "hog-1"}}, 0.25);
  e.counter("troupe_node_envelopes_received_total", "Envelopes the node took off the bus.", {{"node", "server"}}, 3);
  EXPECT_EQ(e.text(),
            "# HELP troupe_node_envelopes_received_total Envelopes the node took off the bus.\n"
            "# TYPE troupe_node_envelopes_received_total counter\n"
            "troupe_node_envelopes_received_total{node=\"edge\"} 12\n"
            "troupe_node_envelopes_received_total{node=\"server\"} 3\n"
            "# HELP troupe_replica_busy_ratio Share of the last interval the replica computed.\n"
            "# TYPE troupe_replica_busy_ratio gauge\n"
            "troupe_replica_busy_ratio{replica=\"hog-1\"} 0.25\n");
}

TEST(MetricsExposition, LabelValuesAndHelpAreEscaped) {
  exposition e;
  e.gauge("g", "a \\ help\nline", {{"camera", "say \"hi\"\\\n"}}, 1);
  EXPECT_EQ(e.text(), "# HELP g a \\\\ help\\nline\n# TYPE g gauge\ng{camera=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
}

TEST(MetricsExposition, HistogramsAreCumulativeWithInfSumAndCount) {
  histogram h({0.1, 1});
  for (double v : {0.05, 0.1, 0.5, 7.0})  // 0.1 falls in le="0.1": bounds are inclusive
    h.observe(v);
  exposition e;
  e.histogram("troupe_replica_compute_seconds", "Compute time per batch.", {{"replica", "det"}}, h.snapshot());
  EXPECT_EQ(e.text(),
            "# HELP troupe_replica_compute_seconds Compute time per batch.\n"
            "# TYPE troupe_replica_compute_seconds histogram\n"
            "troupe_replica_compute_seconds_bucket{replica=\"det\",le=\"0.1\"} 2\n"
            "troupe_replica_compute_seconds_bucket{replica=\"det\",le=\"1\"} 3\n"
            "troupe_replica_compute_seconds_bucket{replica=\"det\",le=\"+Inf\"} 4\n"
            "troupe_replica_compute_seconds_sum{replica=\"det\"} 7.65\n"
            "troupe_replica_compute_seconds_count{replica=\"det\"} 4\n");
  EXPECT_THROW(histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(histogram({1, NAN}), std::invalid_argument);
}

TEST(MetricsExposition, WhatPrometheusWouldRefuseIsRefused) {
  exposition e;
  EXPECT_THROW(e.gauge("2fast", "h", {}, 1), std::invalid_argument);
  EXPECT_THROW(e.gauge("a-b", "h", {}, 1), std::invalid_argument);
  EXPECT_THROW(e.gauge("ok", "h", {{"bad-label", "x"}}, 1), std::invalid_argument);
  EXPECT_THROW(e.gauge("ok", "h", {{"__reserved", "x"}}, 1), std::invalid_argument);
  EXPECT_THROW(e.histogram("ok_h", "h", {{"le", "x"}}, histogram({1}).snapshot()), std::invalid_argument);
  e.gauge("twice", "h", {}, 1);
  EXPECT_THROW(e.counter("twice", "h", {}, 1), std::invalid_argument);  // one family, one type
  EXPECT_NO_THROW(e.gauge("name:with_colon", "h", {}, 1));
}

TEST(MetricsExposition, ValuesReadBackExactly) {
  EXPECT_EQ(value_text(0.1), "0.1");
  EXPECT_EQ(value_text(123), "123");
  EXPECT_EQ(value_text(1e-3), "0.001");
  EXPECT_EQ(value_text(NAN), "NaN");
  EXPECT_EQ(value_text(INFINITY), "+Inf");
  EXPECT_EQ(value_text(-INFINITY), "-Inf");
  EXPECT_EQ(std::stod(value_text(1.0 / 3)), 1.0 / 3);
}

TEST(MetricsExposition, AHistogramCountsEveryObservationFromManyThreads) {
  histogram h(latency_buckets());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i)
        h.observe(0.002 * (i % 50));
    });
  for (auto& t : threads)
    t.join();
  auto s = h.snapshot();
  EXPECT_EQ(s.count, 40000u);
  uint64_t total = 0;
  for (auto c : s.counts)
    total += c;
  EXPECT_EQ(total, 40000u);
}
