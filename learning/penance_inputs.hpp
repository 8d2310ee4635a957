// What Penance's camera-side networks read, for the trainers: each segment's luma,
// halved, drawn again from its drive's seed (the tables keep no pixels).
// Internal to learning/: it includes libtorch.
#pragma once

#include <functional>
#include <vector>

#include <opencv2/core.hpp>
#include <torch/script.h>

#include "learning/penance_dataset.hpp"
#include "learning/penance_networks.hpp"
#include "vision/street_scene.hpp"

namespace troupe::learning {

// Runs fn(i, drive) for every seed's drive (`base` with that seed), the drives on their
// own threads as each is drawn frame after frame; the first exception is rethrown.
void for_each_drive(const vision::street_config& base, const std::vector<uint64_t>& seeds,
                    const std::function<void(size_t, vision::street_scene&)>& fn);


// A BGR frame as the segmenters read it: 3 × H × W in [0, 1].
torch::Tensor bgr_tensor(const cv::Mat& bgr);

// An edge model on frames of one size: each frame's labels (N×H×W, u8, at the frames'
// size) and the last frame's class probabilities averaged over each cell of a
// `grid` (classes × grid, ×255 as u8: no aliasing), which the performance encoder reads.
struct edge_output {
  torch::Tensor labels;
  torch::Tensor last_probabilities;
};
edge_output run_edge_model(torch::jit::Module& model, const std::vector<cv::Mat>& bgr, cv::Size grid);
// One plane of labels as an 8-bit image.
cv::Mat labels_of_plane(const torch::Tensor& labels_hw);

// Per drive, in the order of `seeds`: every whole segment's luma, u8 frames × h × w.
// Drives render on their own threads.
std::vector<std::vector<torch::Tensor>> segment_lumas(const penance_dataset_options& o, const std::vector<uint64_t>& seeds,
                                                      const estimator_shape& shape);

// The float input of a batch of lumas.
torch::Tensor luma_batch(const std::vector<torch::Tensor>& lumas);

}  // namespace troupe::learning
