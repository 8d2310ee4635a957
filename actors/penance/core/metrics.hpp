// What Figs. 14–15 print per method and operating point: the share of segments that
// fail the target (a cut segment fails), the spread of segment mIoU, the server's MACs
// per segment with any overhead the method spends (profiling), and the cut share.
#pragma once

#include <vector>

#include "actors/penance/core/replay.hpp"

namespace troupe::penance {

struct method_metrics {
  size_t segments = 0;
  double fail_pct = 0;     // mIoU < A, cuts included
  double dropped_pct = 0;  // cut at their deadline
  double stale_pct = 0;    // decided without the previous segment's result (p_{i−1} older)
  double miou_p10 = 0, miou_p25 = 0, miou_p50 = 0;
  double gmacs_per_segment = 0;
};

class metrics_accumulator {
 public:
  // `frame_macs`: what C = 1 costs on one frame; every frame of a delivered segment is segmented.
  metrics_accumulator(double frame_macs, int frames_per_segment) : frame_macs_(frame_macs), frames_(frames_per_segment) {}
  void add(const replay_step& s, double accuracy_target);
  void add_overhead(double macs) { overhead_ += macs; }
  method_metrics result() const;

 private:
  double frame_macs_;
  int frames_;
  std::vector<double> miou_;
  size_t failed_ = 0, dropped_ = 0, stale_ = 0;
  double macs_ = 0, overhead_ = 0;
};

}  // namespace troupe::penance
