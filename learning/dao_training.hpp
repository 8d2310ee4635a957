// `troupe train-penance --stage dao`: DAO-C's accuracy predictor (penance.txt §4.1.3):
// a MobileNet-style segmenter trained here (`train-segmenters --family mobile`), frozen,
// and a head that regresses every configuration's mIoU from a segment's first frame —
// ⚑ the head reads the frozen segmenter's class probabilities on the 45×80 grid (its
// output, pooled), through five MobileNet blocks as the performance encoder's. Trained
// on the training drives' tables (each segment's first frame against exact labels),
// scored on the test drives'. Plain C++: no libtorch headers.
#pragma once

#include <string>

#include "learning/penance_dataset.hpp"
#include "learning/training_progress.hpp"

namespace troupe::learning {

struct dao_options {
  penance_dataset_options data;  // the drives and where their tables are
  std::string backbone = "build/models/mobile-0.pt";
  int epochs = 60;
  int batch = 32;
  double learning_rate = 1e-3;
  uint64_t seed = 1;
  int threads = 0;
  std::string output = "build/models/dao-c.pt";
};

struct dao_result {
  double train_mae = 0, test_mae = 0;  // mIoU, over segments × configurations
  double test_mae_profile = 0;         // Periodic Profiling's: the video's first frame for every segment
  double seconds = 0;
  std::string output;
};

// Throws std::invalid_argument for bad options, missing tables or a backbone that is no
// segmenter of the tables' classes.
dao_result train_dao(const dao_options& o, const progress_callback& progress = {});

}  // namespace troupe::learning
