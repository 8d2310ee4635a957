// What Penance's camera-side networks read, for the trainers: each segment's luma,
// halved, drawn again from its drive's seed (the tables keep no pixels).
// Internal to learning/: it includes libtorch.
#pragma once

#include <vector>

#include <torch/script.h>

#include "learning/penance_dataset.hpp"
#include "learning/penance_networks.hpp"

namespace troupe::learning {

// Per drive, in the order of `seeds`: every whole segment's luma, u8 frames × h × w.
// Drives render on their own threads.
std::vector<std::vector<torch::Tensor>> segment_lumas(const penance_dataset_options& o, const std::vector<uint64_t>& seeds,
                                                      const estimator_shape& shape);

// The float input of a batch of lumas.
torch::Tensor luma_batch(const std::vector<torch::Tensor>& lumas);

}  // namespace troupe::learning
