// Penance's edge models as TorchScript modules built from their graph
// (actors/penance/core/segmenter_graph.hpp): `forward(image)` takes BGR in [0, 1],
// N×3×H×W, and gives class logits at the input's size. The module carries its graph,
// so a weight file says what it is, and L1 pruning narrows a trained one.
// Internal to learning/: it includes libtorch.
#pragma once

#include <torch/script.h>

#include "actors/penance/core/segmenter_graph.hpp"

namespace troupe::learning {

// A freshly initialised network (He-normal weights, seeded).
torch::jit::Module build_segmenter(const penance::segmenter_graph& g, uint64_t seed);

// The graph a module was built from; throws std::runtime_error naming what is missing.
penance::segmenter_graph graph_of(const torch::jit::Module& m);

// L1 channel pruning (penance.txt §2.1.1 cites [13]): every convolution but the last
// keeps the round(keep × out) filters of largest L1 norm, in their order, and every
// consumer the matching input channels; the weights are copied.
torch::jit::Module prune_segmenter(const torch::jit::Module& m, double keep);

}  // namespace troupe::learning
