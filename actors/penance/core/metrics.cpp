#include "actors/penance/core/metrics.hpp"

#include "vision/percentile.hpp"

namespace troupe::penance {

void metrics_accumulator::add(const replay_step& s, double accuracy_target) {
  miou_.push_back(s.accuracy);
  failed_ += s.accuracy < accuracy_target ? 1 : 0;
  dropped_ += s.delivered ? 0 : 1;
  stale_ += s.stale ? 1 : 0;
  macs_ += s.cost * frame_macs_ * frames_;
}

method_metrics metrics_accumulator::result() const {
  method_metrics m;
  m.segments = miou_.size();
  if (miou_.empty())
    return m;
  double n = static_cast<double>(miou_.size());
  m.fail_pct = 100 * static_cast<double>(failed_) / n;
  m.dropped_pct = 100 * static_cast<double>(dropped_) / n;
  m.stale_pct = 100 * static_cast<double>(stale_) / n;
  m.miou_p10 = vision::percentile(miou_, 10);
  m.miou_p25 = vision::percentile(miou_, 25);
  m.miou_p50 = vision::percentile(miou_, 50);
  m.gmacs_per_segment = (macs_ + overhead_) / n / 1e9;
  return m;
}

}  // namespace troupe::penance
