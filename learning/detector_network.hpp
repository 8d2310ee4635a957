// The project's own single-shot detector network, in three sizes: a few strided
// 3×3 convolutions down to a grid of 8-pixel cells, each cell predicting one box
// (centre offset, log-size relative to an anchor, objectness, class scores). It is a
// TorchScript module from the start, so the module that trains is the one saved and
// served: `raw` gives the grid logits for training, `forward` the decoded YOLO-style
// rows [batch, cells, 5 + classes] in input pixels.
// Internal to learning/: it includes libtorch.
#pragma once

#include <string>
#include <vector>

#include <torch/script.h>

namespace troupe::learning {

struct network_shape {
  std::string size = "s";
  std::vector<int> widths;  // output channels of each 3×3 convolution
  std::vector<int> strides;
  int input = 320;          // square input, pixels
  int classes = 1;
  float anchor_w = 12, anchor_h = 28;  // a typical object in input pixels

  int stride() const;  // input pixels per grid cell
};

// "n", "s" or "m"; throws for anything else.
network_shape shape_of(const std::string& size, int input = 320);
std::vector<std::string> network_sizes();

// A freshly initialised network (He-normal weights, seeded).
torch::jit::Module build_network(const network_shape& shape, uint64_t seed);

}  // namespace troupe::learning
