// Fitting the Detect Trigger's weights (remo.txt, section IV.A): Flag = w1·s_r + w2·e_r
// should predict how much F1 tracking has lost against detection in a region, so
// (w1, w2) is chosen by grid search for the least mean squared error against the
// observed F1 drops, and k-fold cross-validation says how well that choice predicts
// samples it was not chosen on.
#pragma once

#include <utility>
#include <vector>

namespace troupe::remo {

struct trigger_sample {
  double flow_std = 0;    // s_r
  double edge_ratio = 0;  // e_r
  double f1_drop = 0;     // 1 − F1 of tracked boxes against detected ones in the region
};

struct trigger_fit {
  double w1 = 0, w2 = 0;  // the grid point of least MSE over every sample
  double mse = 0;         // its MSE over every sample
  double cv_mse = 0;      // mean of the folds' held-out MSE
  std::vector<std::pair<double, double>> fold_weights;  // chosen without fold k ...
  std::vector<double> fold_mse;                         // ... and its MSE on fold k
};

// Grid over [0, max_weight]² in steps of `step`; folds are consecutive blocks of
// samples (neighbouring frames are alike: interleaved folds would leak).
trigger_fit fit_trigger_weights(const std::vector<trigger_sample>& samples, double step = 0.1,
                                int folds = 5, double max_weight = 1.0);

}  // namespace troupe::remo
