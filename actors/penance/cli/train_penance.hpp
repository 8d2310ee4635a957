// `troupe train-penance --stage S`: Penance's learned parts, each on the dataset's
// tables, through the learning plugin. Stages land one by one: estimator (Fig. 10).
#pragma once

#include "learning/estimator_training.hpp"

namespace troupe {

// Trains the bitrate estimator, writes it and prints Table 1 and Table 2's figures.
int train_estimator_command(const learning::estimator_options& options);

}  // namespace troupe
