// `troupe train-segmenters`: Penance's edge models 0–4 (learning/segmenter_training)
// trained on synthetic drives, through the learning plugin.
#pragma once

#include "learning/segmenter_training.hpp"

namespace troupe {

// Trains, writes each model and prints what it measured; returns the exit status.
int train_segmenters_command(const learning::segmenter_options& options);

}  // namespace troupe
