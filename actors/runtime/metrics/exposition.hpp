// Prometheus's text exposition format (version 0.0.4), written by hand: Debian 12 has
// no prometheus-cpp package. A scrape builds one `exposition` from what the node knows
// at that moment; a `histogram` keeps its buckets between scrapes, thread-safe.
// Names follow Prometheus's conventions: base units (seconds, bytes), `_total` for
// counters, the histogram's `_bucket{le=…}`, `_sum`, `_count` series.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace troupe::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

// Upper bounds of a histogram's buckets (+Inf is implied), and what fell in each.
struct histogram_snapshot {
  std::vector<double> bounds;
  std::vector<uint64_t> counts;  // per bucket, not cumulative; one more than bounds: the +Inf one
  double sum = 0;
  uint64_t count = 0;
};

class histogram {
 public:
  explicit histogram(std::vector<double> bounds);  // throws std::invalid_argument unless strictly rising
  void observe(double value);
  histogram_snapshot snapshot() const;

 private:
  mutable std::mutex mtx_;
  histogram_snapshot s_;
};

// Latency buckets in seconds, 1 ms to 30 s, roughly ×2.5 apart.
std::vector<double> latency_buckets();

class exposition {
 public:
  // Each throws std::invalid_argument for a name or label name Prometheus would refuse,
  // or a family already written with another type or help.
  void counter(const std::string& name, const std::string& help, const labels& l, double value);
  void gauge(const std::string& name, const std::string& help, const labels& l, double value);
  void histogram(const std::string& name, const std::string& help, const labels& l, const histogram_snapshot& h);

  // The families in the order first written, each sample under its family's HELP and TYPE.
  std::string text() const;

 private:
  struct family {
    std::string type, help;
    std::vector<std::string> lines;
  };
  family& family_of(const std::string& name, const std::string& type, const std::string& help, const labels& l);

  std::vector<std::string> order_;
  std::map<std::string, family> families_;
};

// Throws std::invalid_argument for a metric or label name Prometheus would refuse.
void check_series(const std::string& name, const labels& l);

// A sample's value as Prometheus reads it: NaN, +Inf, -Inf, or the shortest exact decimal.
std::string value_text(double v);

}  // namespace troupe::metrics
