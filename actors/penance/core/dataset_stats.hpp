// What the dataset shows, beside the paper's measurements (penance.txt §2.2): how much
// a setting's segment size varies with content (Fig. 2), how wrong an accuracy profile
// taken every 20 s is for the next 20 s (Fig. 3), whether lowering the QP trades bytes
// for accuracy better than lowering the resolution (Fig. 4), how far things move in a
// segment (Fig. 9), and what the edge models score.
#pragma once

#include <vector>

#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/segment_table.hpp"

namespace troupe::penance {

struct dataset_stats {
  size_t segments = 0;
  std::vector<double> size_cv;      // per setting: spread over mean of its sizes (Fig. 2)
  double median_size_cv = 0;
  double costliest_median_kb = 0;   // the largest scale at the smallest QP
  double cheapest_p95_kb = 0;       // the smallest scale at the largest QP
  double reprofile_mae_median = 0;  // Fig. 3
  double qp_beats_resolution = 0;   // share of segments (Fig. 4), ties half
  double motion_p95_px = 0;         // the segments' largest frame-to-frame motion, P95 (Fig. 9)
  std::vector<double> model_miou;   // per model at the costliest setting
  double cheapest_model_miou = 0;   // the last model at the cheapest setting
};

// Over every segment of `tables`; `reprofile_segments` apart for Fig. 3.
dataset_stats summarise(const std::vector<drive_table>& tables, const config_space& space, size_t reprofile_segments = 20);

// The costliest and cheapest settings: largest scale at smallest QP, and the reverse.
size_t costliest_setting(const config_space& space);
size_t cheapest_setting(const config_space& space);

}  // namespace troupe::penance
