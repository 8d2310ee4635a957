// Mean and nearest-rank percentiles of a stream of samples (latencies) in bounded
// memory: exact while at most `exact_cap` samples came, then from log-spaced buckets
// 1 % wide (a percentile within 0.5 % of the exact one), so a run of days costs what a
// run of minutes does. The mean, the count, the minimum and the maximum stay exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace troupe::vision {

class sample_summary {
 public:
  explicit sample_summary(size_t exact_cap = 4096) : exact_cap_(exact_cap) {}

  void add(double v);
  void merge(const sample_summary& other);

  size_t count() const { return count_; }
  double mean() const { return count_ == 0 ? 0 : sum_ / double(count_); }
  // p in [0, 100], as vision::percentile; 0 when empty.
  double percentile(double p) const;
  bool exact() const { return buckets_.empty(); }

 private:
  void to_buckets();
  void add_to_bucket(double v, uint64_t n);

  size_t exact_cap_;
  std::vector<double> exact_;
  std::map<int, uint64_t> buckets_;  // by floor(log(v) / log(1.01)); non-positive values in the lowest
  size_t count_ = 0;
  double sum_ = 0, min_ = 0, max_ = 0;
};

}  // namespace troupe::vision
