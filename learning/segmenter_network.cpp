#include "learning/segmenter_network.hpp"

#include <cmath>
#include <map>
#include <sstream>

namespace troupe::learning {

namespace {

std::string weight(const std::string& conv) { return "w_" + conv; }
std::string bias(const std::string& conv) { return "b_" + conv; }

std::string script(const penance::segmenter_graph& g) {
  std::ostringstream src;
  src << "def forward(self, image):\n"
      << "    x_image = (image - 0.45) / 0.25\n";
  for (auto& c : g.convs) {
    std::string in = "x_" + c.inputs.front();
    if (c.inputs.size() > 1) {
      in = "torch.cat([";
      for (size_t i = 0; i < c.inputs.size(); ++i)
        in += (i ? ", x_" : "x_") + c.inputs[i];
      in += "], 1)";
    }
    if (c.pool > 0)
      in = "torch.adaptive_avg_pool2d(" + in + ", [" + std::to_string(c.pool) + ", " + std::to_string(c.pool) + "])";
    int pad = c.dilation * (c.kernel / 2);
    std::string conv = "torch.conv2d(" + in + ", self." + weight(c.name) + ", self." + bias(c.name) + ", [" +
                       std::to_string(c.stride) + ", " + std::to_string(c.stride) + "], [" + std::to_string(pad) +
                       ", " + std::to_string(pad) + "], [" + std::to_string(c.dilation) + ", " +
                       std::to_string(c.dilation) + "], " + std::to_string(g.groups(c)) + ")";
    src << "    x_" << c.name << " = " << (c.relu ? "torch.relu(" + conv + ")" : conv) << "\n";
    if (!c.resize_to.empty())
      src << "    x_" << c.name << " = torch.upsample_bilinear2d(x_" << c.name << ", [x_" << c.resize_to
          << ".size(2), x_" << c.resize_to << ".size(3)], False)\n";
  }
  src << "    return torch.upsample_bilinear2d(x_" << g.convs.back().name
      << ", [image.size(2), image.size(3)], False)\n";
  std::string text = g.serialise(), escaped;
  for (char ch : text)
    escaped += ch == '\n' ? std::string("\\n") : std::string(1, ch);
  src << "def graph(self) -> str:\n    return \"" << escaped << "\"\n";
  src << "def classes(self) -> int:\n    return " << g.classes() << "\n";
  return src.str();
}

torch::jit::Module module_for(const penance::segmenter_graph& g, const std::map<std::string, torch::Tensor>& params) {
  torch::jit::Module m("troupe_segmenter");
  for (auto& c : g.convs) {
    m.register_parameter(weight(c.name), params.at(weight(c.name)).detach().clone().requires_grad_(), false);
    m.register_parameter(bias(c.name), params.at(bias(c.name)).detach().clone().requires_grad_(), false);
  }
  m.define(script(g));
  return m;
}

}  // namespace

torch::jit::Module build_segmenter(const penance::segmenter_graph& g, uint64_t seed) {
  torch::manual_seed(seed);
  std::map<std::string, torch::Tensor> params;
  for (auto& c : g.convs) {
    int in = g.input_channels(c) / g.groups(c);
    double fan_in = static_cast<double>(in) * c.kernel * c.kernel;
    params[weight(c.name)] = torch::randn({c.out, in, c.kernel, c.kernel}) * std::sqrt((c.relu ? 2.0 : 1.0) / fan_in);
    params[bias(c.name)] = torch::zeros({c.out});
  }
  return module_for(g, params);
}

penance::segmenter_graph graph_of(const torch::jit::Module& m) {
  if (!m.find_method("graph"))
    throw std::runtime_error("the module is not a Penance segmenter: it has no graph()");
  return penance::segmenter_graph::parse(m.get_method("graph")({}).toStringRef());
}

torch::jit::Module prune_segmenter(const torch::jit::Module& m, double keep) {
  auto g = graph_of(m);
  auto pruned = penance::pruned_shape(g, keep);
  std::map<std::string, torch::Tensor> old;
  for (const auto& p : m.named_parameters(false))
    old[p.name] = p.value;
  std::map<std::string, torch::Tensor> kept = {{"image", torch::arange(g.in_channels)}};
  std::map<std::string, torch::Tensor> params;
  for (size_t k = 0; k < g.convs.size(); ++k) {
    auto& c = g.convs[k];
    auto w = old.at(weight(c.name));
    std::vector<torch::Tensor> in;  // the kept input channels, offset by where each input starts
    int64_t offset = 0;
    for (auto& i : c.inputs) {
      in.push_back(kept.at(i) + offset);
      offset += g.channels_of(i);
    }
    auto in_index = torch::cat(in);
    // A depthwise conv's filters are its input's channels: it keeps what its input kept.
    auto out_index = c.depthwise ? in_index : std::get<0>(std::get<1>(w.abs().sum({1, 2, 3}).topk(pruned.convs[k].out)).sort());
    kept[c.name] = out_index;
    params[weight(c.name)] = c.depthwise ? w.index_select(0, out_index) : w.index_select(0, out_index).index_select(1, in_index);
    params[bias(c.name)] = old.at(bias(c.name)).index_select(0, out_index);
  }
  return module_for(pruned, params);
}

}  // namespace troupe::learning
