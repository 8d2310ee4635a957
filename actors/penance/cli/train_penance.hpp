// `troupe train-penance --stage S`: Penance's learned parts, each on the dataset's
// tables, through the learning plugin: the bitrate estimator (Fig. 10), then the
// adapter with its performance encoder (Figs. 12-13) or CASVA-C's; DAO-C's predictor.
#pragma once

#include "learning/adapter_training.hpp"
#include "learning/dao_training.hpp"
#include "learning/estimator_training.hpp"

namespace troupe {

// Trains the bitrate estimator, writes it and prints Table 1 and Table 2's figures.
int train_estimator_command(const learning::estimator_options& options);

// Trains the adapter by PPO, writes it and prints its test-drive figures beside Optimal's.
int train_adapter_command(const learning::adapter_options& options);

// Trains DAO-C's accuracy predictor, writes it and prints its error beside profiling's.
int train_dao_command(const learning::dao_options& options);

}  // namespace troupe
