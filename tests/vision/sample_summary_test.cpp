// Percentiles in bounded memory: exact up to the cap, within 0.5 % beyond it.
#include <gtest/gtest.h>

#include <random>

#include "actors/common/run_report.hpp"
#include "vision/percentile.hpp"
#include "vision/sample_summary.hpp"

namespace troupe::vision {
namespace {

TEST(SampleSummary, ExactUpToItsCap) {
  sample_summary s(8);
  std::vector<double> v{5, 1, 9, 3, 7};
  for (double x : v)
    s.add(x);
  EXPECT_TRUE(s.exact());
  for (double p : {0.0, 50.0, 95.0, 100.0})
    EXPECT_EQ(s.percentile(p), percentile(v, p));
  EXPECT_DOUBLE_EQ(s.mean(), 5);
}

TEST(SampleSummary, BeyondItsCapPercentilesStayWithinHalfAPercent) {
  sample_summary s(100), merged(100), part(100);
  std::vector<double> v;
  std::mt19937 rng(7);
  std::lognormal_distribution<double> latency(4.0, 1.0);  // around 55 ms, a long tail
  for (int i = 0; i < 20000; ++i) {
    v.push_back(latency(rng));
    s.add(v.back());
    (i % 2 ? merged : part).add(v.back());
  }
  merged.merge(part);
  EXPECT_FALSE(s.exact());
  for (double p : {1.0, 50.0, 95.0, 99.0}) {
    EXPECT_NEAR(s.percentile(p), percentile(v, p), 0.005 * percentile(v, p)) << "p" << p;
    EXPECT_NEAR(merged.percentile(p), percentile(v, p), 0.005 * percentile(v, p)) << "merged p" << p;
  }
  EXPECT_EQ(s.percentile(100), percentile(v, 100));  // the maximum stays exact
  EXPECT_NEAR(s.mean(), mean(v), 1e-9 * mean(v));
  EXPECT_EQ(merged.count(), v.size());
}

TEST(LatencySeries, KeepsABoundedEvenlyThinnedPlot) {
  troupe::latency_series series(64);
  for (int i = 0; i < 10000; ++i)
    series.add(i, 2.0 * i);
  auto& points = series.points();
  EXPECT_LT(points.size(), 64u);
  EXPECT_GT(points.size(), 16u);
  EXPECT_EQ(points.front().first, 0);
  for (size_t i = 1; i < points.size(); ++i)  // evenly spaced over the whole run
    EXPECT_EQ(points[i].first - points[i - 1].first, points[1].first - points[0].first);
  EXPECT_GT(points.back().first, 10000 - 2 * (points[1].first - points[0].first));
}

}  // namespace
}  // namespace troupe::vision
