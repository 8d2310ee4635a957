// `troupe train-penance --stage estimator`: the bitrate estimator (penance.txt §3.2.3,
// eq. 1) trained on the dataset's real encodes: each segment's luma, halved, to its size
// at the costliest setting and the other settings' ratios to it; MSE, Adam with weight
// decay, cosine learning rate. The last training drives pick the epoch kept; the test
// drives score it against Table 1's AR(1) baseline. Plain C++: no libtorch headers.
#pragma once

#include <string>

#include "learning/penance_dataset.hpp"
#include "learning/training_progress.hpp"

namespace troupe::learning {

struct estimator_options {
  penance_dataset_options data;        // the drives and where their tables are
  int epochs = 200;                    // §4.1.1
  int batch = 16;
  double learning_rate = 1e-4, final_rate = 1e-6, weight_decay = 1e-4;
  int validation_drives = 2;           // the last training drives, only scored
  double base_unit_bytes = 1e5;        // b̂ is learnt in units of 100 KB
  uint64_t seed = 1;
  int threads = 0;
  std::string output = "build/models/penance-estimator.pt";
};

struct estimator_result {
  int kept_epoch = 0;
  double validation_loss = 0;
  double mean_error = 0, median_error = 0;                    // % over test segments × settings
  double baseline_mean_error = 0, baseline_median_error = 0;  // Table 1's AR(1) + ratio table
  double macs = 0, paper_input_macs = 0;                      // one segment; at the paper's 640×360 input
  int receptive_field = 0;                                    // pixels of the frame before halving
  double ms_per_segment = 0;                                  // one thread
  double seconds = 0;
  std::string output;
};

// Throws std::invalid_argument for bad options or missing tables.
estimator_result train_estimator(const estimator_options& o, const progress_callback& progress = {});

}  // namespace troupe::learning
