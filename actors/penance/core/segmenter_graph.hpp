// The edge models' architecture as data (penance.txt §2.1.1): model 0, a small FCN
// with pyramid pooling, and models 1–4, the same graph with fewer channels after L1
// pruning. As data, the trainer builds a network from it, the pruner narrows it, a
// weight file carries it, and the cost C(r, v) counts its multiply-accumulates without
// running it.
#pragma once

#include <string>
#include <vector>

namespace troupe::penance {

// One convolution and what feeds it. "image" is the network's input.
struct seg_conv {
  std::string name;
  std::vector<std::string> inputs;  // concatenated along channels
  int out = 0, kernel = 3, stride = 1, dilation = 1;
  int pool = 0;            // > 0: adaptive average pool to pool × pool first (a pyramid branch)
  std::string resize_to;   // the output is resized (bilinear) to that tensor's size
  bool relu = true;
  bool depthwise = false;  // one filter per input channel (out = its input's channels)
};

struct segmenter_graph {
  std::vector<seg_conv> convs;  // in order; the last gives the class logits at 1/stride
  int in_channels = 3;

  const seg_conv& at(const std::string& name) const;
  int channels_of(const std::string& tensor) const;  // "image" or a conv's out
  int input_channels(const seg_conv& c) const;
  int groups(const seg_conv& c) const { return c.depthwise ? input_channels(c) : 1; }
  int classes() const { return convs.back().out; }

  // One line per conv, the format a weight file keeps; parse() throws naming the line.
  std::string serialise() const;
  static segmenter_graph parse(const std::string& text);
};

// Model 0: widths {w1 … w5} for the 1/2 and 1/4 stages, the 1/8 and 1/16 stages and
// the decoder, which brings the pyramid up to 1/4 through skips from 1/8 and 1/4
// (defaults ≈ 0.24 GMAC at 640×360).
segmenter_graph pyramid_segmenter(int classes, const std::vector<int>& widths = {12, 24, 36, 64, 48});

// A MobileNet-style model 0 (penance.txt §2.1.1 names MobileNet among its edge models;
// DAO-C's is one): a strided stem, then depthwise-separable blocks (3×3 depthwise, 1×1
// pointwise) to 1/4, 1/8 and 1/16, the last dilated, the same pyramid and decoder.
// Widths {stem, 1/4, 1/8, 1/16, decoder}; more channels for the MACs than the pyramid's.
segmenter_graph mobile_segmenter(int classes, const std::vector<int>& widths = {16, 32, 64, 128, 56});

// Multiply-accumulates of one frame of height × width (pooling and resizing not counted).
double segmenter_macs(const segmenter_graph& g, int height, int width);

// The graph after L1 pruning: every conv but the last keeps max(1, round(keep × out));
// a depthwise conv keeps the channels its input kept.
segmenter_graph pruned_shape(segmenter_graph g, double keep);

// The share of channels to keep so that (1 − sparsity) of the MACs at height × width
// remain, by bisection. ⚑ The paper's "sparsity" is read as the share of MACs removed;
// keeping √(1 − s) of every layer's channels would leave more, as the first conv's
// inputs and the last one's outputs stay, so the share is a little under √(1 − s).
double keep_for_sparsity(const segmenter_graph& g, double sparsity, int height, int width);

}  // namespace troupe::penance
