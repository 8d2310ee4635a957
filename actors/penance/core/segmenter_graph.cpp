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

namespace {

// Pooling to 1, 2, 3 and 6 bins of the 1/16 features, fused with them and brought to
// 1/8, then to 1/4 with skips from `at8` and `at4`: both model 0s' heads.
void pyramid_and_decoder(std::vector<seg_conv>& c, const std::string& at16, const std::string& at8,
                         const std::string& at4, int width16, int decoder, int classes) {
  int branch = std::max(1, width16 / 4);
  for (int bins : {1, 2, 3, 6})
    c.push_back({"p" + std::to_string(bins), {at16}, branch, 1, 1, 1, bins, at16});
  c.push_back({"fuse", {at16, "p1", "p2", "p3", "p6"}, width16, 1, 1, 1, 0, at8});
  c.push_back({"skip8", {at8}, decoder / 2, 1});
  c.push_back({"mid", {"fuse", "skip8"}, decoder, 1, 1, 1, 0, at4});  // up to 1/4
  c.push_back({"skip4", {at4}, std::max(1, decoder / 4), 1});
  c.push_back({"decode", {"mid", "skip4"}, std::max(1, decoder * 2 / 3), 1});
  c.push_back({"classes", {"decode"}, classes, 1, 1, 1, 0, "", false});
}

void check_widths(const std::vector<int>& w, int classes, const char* which) {
  if (w.size() != 5 || classes < 2 || *std::min_element(w.begin(), w.end()) < 2)
    throw std::invalid_argument(std::string("a ") + which + " segmenter needs 5 widths of at least 2 and at least 2 classes");
}

}  // namespace

segmenter_graph pyramid_segmenter(int classes, const std::vector<int>& w) {
  check_widths(w, classes, "pyramid");
  segmenter_graph g;
  g.convs = {
      {"c1", {"image"}, w[0], 3, 2},
      {"c2", {"c1"}, w[1], 3, 2},
      {"c3", {"c2"}, w[2], 3, 2},
      {"c4", {"c3"}, w[2], 3, 1},  // 1/8: a skip to the decoder
      {"c5", {"c4"}, w[3], 3, 2},
      {"c6", {"c5"}, w[3], 3, 1, 2},  // 1/16, dilated
  };
  pyramid_and_decoder(g.convs, "c6", "c4", "c2", w[3], w[4], classes);
  return g;
}

segmenter_graph mobile_segmenter(int classes, const std::vector<int>& w) {
  check_widths(w, classes, "mobile");
  segmenter_graph g;
  auto& c = g.convs;
  c.push_back({"stem", {"image"}, w[0], 3, 2});  // 1/2
  auto block = [&](const std::string& name, const std::string& in, int out, int stride, int dilation = 1) {
    c.push_back({name + "_dw", {in}, g.channels_of(in), 3, stride, dilation, 0, "", true, true});
    c.push_back({name, {name + "_dw"}, out, 1});
  };
  block("b4a", "stem", w[1], 2);  // 1/4
  block("b4b", "b4a", w[1], 1);
  block("b8a", "b4b", w[2], 2);  // 1/8
  block("b8b", "b8a", w[2], 1);
  block("b16a", "b8b", w[3], 2);  // 1/16
  block("b16b", "b16a", w[3], 1, 2);
  block("b16c", "b16b", w[3], 1, 4);
  pyramid_and_decoder(c, "b16c", "b8b", "b4b", w[3], w[4], classes);
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
