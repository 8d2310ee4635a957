// Penance's small networks as TorchScript modules (penance.txt §3.2–3.4):
// - the bitrate estimator (Fig. 10): the luma of a segment's frames, halved, through a
//   grouped convolution with its own weights per frame position, two MobileNet blocks
//   with dilated depthwise convolutions, an 8×8 average pool and two FC layers (x, the
//   content features) to the base size b̂ and the 17 ratios r̂;
// - the performance encoder (Fig. 12): the last frame's class probabilities through
//   five MobileNet blocks and an average pool to p;
// - the CRL adapter's actor and critic (Fig. 13): an FC layer per state part,
//   concatenated, an FC layer, then the 90 configurations' logits or the value.
// Internal to learning/: it includes libtorch.
#pragma once

#include <torch/script.h>

#include "actors/penance/core/adapter_state.hpp"

namespace troupe::learning {

struct estimator_shape {
  int frames = 15;
  int height = 180, width = 320;  // the luma after halving
  int settings = 18;              // b̂ and settings − 1 ratios
  int features = 128;             // x
  double base_unit_bytes = 1e5;   // b̂ counts these; the module's base_unit() says so
};

// forward(luma N×frames×H×W in [0, 1]) → (b̂ N, r̂ N×(settings−1), x N×features).
torch::jit::Module build_estimator(const estimator_shape& s, uint64_t seed);
// Every setting's size from the estimator's output for one segment: b̂ (bytes) at the
// base setting, b̂ · r̂ at the others, in setting order.
std::vector<double> estimated_sizes(double base_bytes, const torch::Tensor& ratios, size_t settings, size_t base);

// Multiply-accumulates of one segment (the FC layers included).
double estimator_macs(const estimator_shape& s);
// Its receptive field in input pixels (×2 for the frame before halving).
int estimator_receptive_field();

struct performance_shape {
  int classes = 8, height = 45, width = 80;
  int embedding = 64;
};

// forward(probabilities N×classes×H×W in [0, 1]) → p N×embedding.
torch::jit::Module build_performance_encoder(const performance_shape& s, uint64_t seed);

// forward(state N×layout.size()) → logits N×configs (actor) or value N×1 (critic).
torch::jit::Module build_adapter(const penance::state_layout& layout, int outputs, uint64_t seed);

}  // namespace troupe::learning
