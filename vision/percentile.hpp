// Percentiles of a sample, nearest-rank on the sorted values, and its mean.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace troupe::vision {

// p in [0, 100]; 0 for an empty sample.
inline double percentile(std::vector<double> values, double p) {
  if (values.empty())
    return 0;
  std::sort(values.begin(), values.end());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
  return values[rank == 0 ? 0 : rank - 1];
}

inline double median(std::vector<double> values) {
  return percentile(std::move(values), 50);
}

// 0 for an empty sample.
inline double mean(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values)
    sum += v;
  return values.empty() ? 0 : sum / values.size();
}

}  // namespace troupe::vision
