#include "vision/sample_summary.hpp"

#include <algorithm>
#include <climits>
#include <cmath>

#include "vision/percentile.hpp"

namespace troupe::vision {

namespace {

const double log_step = std::log(1.01);

int bucket_of(double v) {
  return v > 0 ? static_cast<int>(std::floor(std::log(v) / log_step)) : INT_MIN;
}

double middle_of(int bucket) {
  return bucket == INT_MIN ? 0 : std::exp((bucket + 0.5) * log_step);
}

}  // namespace

void sample_summary::add(double v) {
  min_ = count_ == 0 ? v : std::min(min_, v);
  max_ = count_ == 0 ? v : std::max(max_, v);
  ++count_;
  sum_ += v;
  if (!buckets_.empty())
    return add_to_bucket(v, 1);
  exact_.push_back(v);
  if (exact_.size() > exact_cap_)
    to_buckets();
}

void sample_summary::merge(const sample_summary& other) {
  if (other.count_ == 0)
    return;
  if (other.buckets_.empty()) {
    for (double v : other.exact_)
      add(v);
    return;
  }
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
  to_buckets();
  for (auto& [bucket, n] : other.buckets_)
    buckets_[bucket] += n;
}

double sample_summary::percentile(double p) const {
  if (buckets_.empty())
    return vision::percentile(exact_, p);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * double(count_)));
  if (rank >= count_)
    return max_;
  uint64_t seen = 0;
  for (auto& [bucket, n] : buckets_) {
    seen += n;
    if (seen >= std::max<uint64_t>(rank, 1))
      return std::clamp(middle_of(bucket), min_, max_);
  }
  return max_;
}

void sample_summary::to_buckets() {
  for (double v : exact_)
    add_to_bucket(v, 1);
  exact_.clear();
  exact_.shrink_to_fit();
}

void sample_summary::add_to_bucket(double v, uint64_t n) {
  buckets_[bucket_of(v)] += n;
}

}  // namespace troupe::vision
