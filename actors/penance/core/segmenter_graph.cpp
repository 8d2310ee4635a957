#include "actors/penance/core/segmenter_graph.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>

namespace troupe::penance {

const seg_conv& segmenter_graph::at(const std::string& name) const {
  for (auto& c : convs)
    if (c.name == name)
      return c;
  throw std::invalid_argument("the segmenter graph has no tensor '" + name + "'");
}

int segmenter_graph::channels_of(const std::string& tensor) const {
  return tensor == "image" ? in_channels : at(tensor).out;
}

int segmenter_graph::input_channels(const seg_conv& c) const {
  int n = 0;
  for (auto& i : c.inputs)
    n += channels_of(i);
  return n;
}

segmenter_graph pyramid_segmenter(int classes, const std::vector<int>& w) {
  if (w.size() != 5 || classes < 2)
    throw std::invalid_argument("a pyramid segmenter needs 5 widths and at least 2 classes");
  int branch = std::max(1, w[3] / 4);
  segmenter_graph g;
  g.convs = {
      {"c1", {"image"}, w[0], 3, 2},
      {"c2", {"c1"}, w[1], 3, 2},
      {"c3", {"c2"}, w[2], 3, 2},
      {"c4", {"c3"}, w[2], 3, 1},  // 1/8: a skip to the decoder
      {"c5", {"c4"}, w[3], 3, 2},
      {"c6", {"c5"}, w[3], 3, 1, 2},  // 1/16, dilated
      {"p1", {"c6"}, branch, 1, 1, 1, 1, "c6"},
      {"p2", {"c6"}, branch, 1, 1, 1, 2, "c6"},
      {"p3", {"c6"}, branch, 1, 1, 1, 3, "c6"},
      {"p6", {"c6"}, branch, 1, 1, 1, 6, "c6"},
      {"fuse", {"c6", "p1", "p2", "p3", "p6"}, w[3], 1, 1, 1, 0, "c4"},
      {"skip8", {"c4"}, w[4] / 2, 1},
      {"mid", {"fuse", "skip8"}, w[4], 1, 1, 1, 0, "c2"},  // up to 1/4
      {"skip4", {"c2"}, std::max(1, w[4] / 4), 1},
      {"decode", {"mid", "skip4"}, std::max(1, w[4] * 2 / 3), 1},
      {"classes", {"decode"}, classes, 1, 1, 1, 0, "", false},
  };
  return g;
}

namespace {

int out_size(int in, const seg_conv& c) {
  int pad = c.dilation * (c.kernel / 2);
  return (in + 2 * pad - c.dilation * (c.kernel - 1) - 1) / c.stride + 1;
}

}  // namespace

double segmenter_macs(const segmenter_graph& g, int height, int width) {
  std::map<std::string, std::pair<int, int>> size = {{"image", {height, width}}};
  double macs = 0;
  for (auto& c : g.convs) {
    auto [h, w] = size.at(c.inputs.front());
    if (c.pool > 0)
      h = w = c.pool;
    int oh = out_size(h, c), ow = out_size(w, c);
    macs += static_cast<double>(oh) * ow * c.out * (g.input_channels(c) / g.groups(c)) * c.kernel * c.kernel;
    size[c.name] = c.resize_to.empty() ? std::pair{oh, ow} : size.at(c.resize_to);
  }
  return macs;
}

segmenter_graph pruned_shape(segmenter_graph g, double keep) {
  if (!(keep > 0 && keep <= 1))
    throw std::invalid_argument("a pruned segmenter keeps a share of channels in (0, 1], not " + std::to_string(keep));
  for (size_t k = 0; k + 1 < g.convs.size(); ++k)
    g.convs[k].out = g.convs[k].depthwise ? g.input_channels(g.convs[k])
                                          : std::max(1, static_cast<int>(std::lround(keep * g.convs[k].out)));
  return g;
}

double keep_for_sparsity(const segmenter_graph& g, double sparsity, int height, int width) {
  if (!(sparsity >= 0 && sparsity < 1))
    throw std::invalid_argument("sparsity " + std::to_string(sparsity) + " is outside [0, 1)");
  double full = segmenter_macs(g, height, width), lo = 0.01, hi = 1;
  for (int i = 0; i < 40; ++i) {
    double mid = (lo + hi) / 2;
    (segmenter_macs(pruned_shape(g, mid), height, width) / full < 1 - sparsity ? lo : hi) = mid;
  }
  return (lo + hi) / 2;
}

std::string segmenter_graph::serialise() const {
  std::ostringstream out;
  out << "in " << in_channels << "\n";
  for (auto& c : convs) {
    out << c.name << " ";
    for (size_t i = 0; i < c.inputs.size(); ++i)
      out << (i ? "," : "") << c.inputs[i];
    out << " " << c.out << " " << c.kernel << " " << c.stride << " " << c.dilation << " " << c.pool << " "
        << (c.resize_to.empty() ? "-" : c.resize_to) << " " << (c.relu ? 1 : 0) << " " << (c.depthwise ? 1 : 0)
        << "\n";
  }
  return out.str();
}

segmenter_graph segmenter_graph::parse(const std::string& text) {
  segmenter_graph g;
  std::istringstream lines(text);
  std::string line;
  int number = 0;
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty())
      continue;
    std::istringstream f(line);
    auto fail = [&](const std::string& why) {
      return std::invalid_argument("segmenter graph line " + std::to_string(number) + ": " + why + ": '" + line + "'");
    };
    if (number == 1) {
      std::string in;
      if (!(f >> in >> g.in_channels) || in != "in" || g.in_channels < 1)
        throw fail("expected 'in CHANNELS'");
      continue;
    }
    seg_conv c;
    std::string inputs, resize;
    int relu = 1, depthwise = 0;
    if (!(f >> c.name >> inputs >> c.out >> c.kernel >> c.stride >> c.dilation >> c.pool >> resize >> relu))
      throw fail("expected NAME INPUTS OUT KERNEL STRIDE DILATION POOL RESIZE RELU [DEPTHWISE]");
    f >> depthwise;  // absent in graphs written before depthwise convolutions
    c.depthwise = depthwise != 0;
    std::istringstream in(inputs);
    for (std::string i; std::getline(in, i, ',');)
      c.inputs.push_back(i);
    c.resize_to = resize == "-" ? "" : resize;
    c.relu = relu != 0;
    if (c.out < 1 || c.kernel < 1 || c.kernel % 2 == 0 || c.stride < 1 || c.dilation < 1 || c.pool < 0)
      throw fail("a size out of range");
    try {
      for (auto& i : c.inputs)
        g.channels_of(i);
      if (!c.resize_to.empty())
        g.channels_of(c.resize_to);
    } catch (const std::invalid_argument& e) {
      throw fail(e.what());
    }
    if (c.depthwise && c.out != g.input_channels(c))
      throw fail("a depthwise conv has as many outputs as inputs");
    g.convs.push_back(std::move(c));
  }
  if (g.convs.empty())
    throw std::invalid_argument("segmenter graph: no convolution");
  return g;
}

}  // namespace troupe::penance
