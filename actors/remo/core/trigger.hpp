// ReMO's Detect Trigger (remo.txt, section IV.A): per region, the standard deviation
// of DIS dense optical flow s_r (tracking is failing) and the Canny edge-pixel ratio
// e_r (something new entered) make Flag = w1·s_r + w2·e_r; a region is detected when
// dFlag/dt exceeds Q, and Q rises with the scheduler's delay-queue backlog (Fig. 11).
#pragma once

#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

namespace troupe::remo {

struct region_signal {
  double flow_std = 0;    // s_r, pixels per frame
  double edge_ratio = 0;  // e_r = E_r / M_r
};

struct trigger_settings {
  double w1 = 0.4, w2 = 0.3;  // the paper's fitted weights for its video (Fig. 5); troupe fit-trigger refits
  double q_base = 0.5;        // Q with an empty delay queue, flag units per second
  double q_per_backlog = 1.0; // Q grows this much per second of delay-queue backlog
};

// s_r and e_r of each region between two consecutive grey frames.
std::vector<region_signal> region_signals(const cv::Mat& previous_grey, const cv::Mat& grey,
                                          const std::vector<cv::Rect>& regions, cv::DISOpticalFlow& flow);
double flag(const region_signal& s, const trigger_settings& t);  // Flag[r] = w1·s_r + w2·e_r

class detect_trigger {
 public:
  detect_trigger(size_t regions, trigger_settings settings);
  // Which regions need detection now: dFlag/dt above Q. The first call only records.
  std::vector<bool> update(const std::vector<region_signal>& signals, double dt_s);
  // Q from the Region Scheduler's delay queue q(t).
  void adapt(double delay_queue_s) { q_ = settings_.q_base + settings_.q_per_backlog * delay_queue_s; }
  double threshold() const { return q_; }
  const std::vector<double>& rises() const { return rise_; }  // dFlag/dt of the last update

 private:
  trigger_settings settings_;
  std::vector<double> last_flag_, rise_;
  bool primed_ = false;
  double q_;
};

}  // namespace troupe::remo
