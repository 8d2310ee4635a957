#include "learning/penance_networks.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace troupe::learning {

namespace {

torch::Tensor he(std::vector<int64_t> shape, double fan_in) {
  return torch::randn(shape) * std::sqrt(2.0 / fan_in);
}

void conv(torch::jit::Module& m, const std::string& name, int out, int in_per_group, int k) {
  m.register_parameter("w_" + name, he({out, in_per_group, k, k}, in_per_group * k * k).requires_grad_(), false);
  m.register_parameter("b_" + name, torch::zeros({out}).requires_grad_(), false);
}

void linear(torch::jit::Module& m, const std::string& name, int out, int in, double gain = 2.0) {
  m.register_parameter("w_" + name, (torch::randn({out, in}) * std::sqrt(gain / in)).requires_grad_(), false);
  m.register_parameter("b_" + name, torch::zeros({out}).requires_grad_(), false);
}

// One line of script: a convolution and a ReLU on x.
std::string conv_line(const std::string& name, int stride, int pad, int dilation, int groups) {
  std::ostringstream s;
  s << "    x = torch.relu(torch.conv2d(x, self.w_" << name << ", self.b_" << name << ", [" << stride << ", " << stride
    << "], [" << pad << ", " << pad << "], [" << dilation << ", " << dilation << "], " << groups << "))\n";
  return s.str();
}

int out_size(int in, int k, int stride, int pad, int dilation) { return (in + 2 * pad - dilation * (k - 1) - 1) / stride + 1; }

// The estimator's feature map after its convolutions: (channels, h, w) before pooling.
struct estimator_dims {
  int h1, w1, h2, w2, h3, w3, pooled;
};

estimator_dims dims_of(const estimator_shape& s) {
  estimator_dims d{};
  d.h1 = out_size(s.height, 3, 2, 1, 1);
  d.w1 = out_size(s.width, 3, 2, 1, 1);
  d.h2 = out_size(d.h1, 3, 2, 2, 2);
  d.w2 = out_size(d.w1, 3, 2, 2, 2);
  d.h3 = out_size(d.h2, 3, 2, 2, 2);
  d.w3 = out_size(d.w2, 3, 2, 2, 2);
  d.pooled = 64 * (d.h3 / 8) * (d.w3 / 8);
  if (d.pooled == 0)
    throw std::invalid_argument("the bitrate estimator's input " + std::to_string(s.width) + "x" +
                                std::to_string(s.height) + " is too small for its 8x8 pool");
  return d;
}

}  // namespace

torch::jit::Module build_estimator(const estimator_shape& s, uint64_t seed) {
  torch::manual_seed(seed);
  auto d = dims_of(s);
  int g = 2 * s.frames;  // G Conv-N: two maps per frame, each frame its own weights
  torch::jit::Module m("penance_bitrate_estimator");
  conv(m, "g", g, 1, 3);
  conv(m, "d1", g, 1, 3);
  conv(m, "p1", 32, g, 1);
  conv(m, "d2", 32, 1, 3);
  conv(m, "p2", 64, 32, 1);
  linear(m, "f1", 256, d.pooled);
  linear(m, "f2", s.features, 256);
  linear(m, "base", 1, s.features, 1.0);
  linear(m, "ratios", s.settings - 1, s.features, 1.0);
  std::ostringstream src;
  src << "def forward(self, luma):\n"
      << "    assert luma.size(1) == " << s.frames << " and luma.size(2) == " << s.height << " and luma.size(3) == "
      << s.width << ", 'the bitrate estimator reads " << s.frames << " frames of " << s.width << "x" << s.height
      << "'\n"
      << "    x = (luma - 0.45) / 0.25\n"
      << conv_line("g", 2, 1, 1, s.frames) << conv_line("d1", 2, 2, 2, g) << conv_line("p1", 1, 0, 1, 1)
      << conv_line("d2", 2, 2, 2, 32) << conv_line("p2", 1, 0, 1, 1)
      << "    x = torch.avg_pool2d(x, [8, 8], [8, 8]).flatten(1)\n"
      << "    x = torch.relu(torch.linear(x, self.w_f1, self.b_f1))\n"
      << "    features = torch.relu(torch.linear(x, self.w_f2, self.b_f2))\n"
      << "    base = torch.linear(features, self.w_base, self.b_base).squeeze(1)\n"
      << "    ratios = torch.linear(features, self.w_ratios, self.b_ratios)\n"
      << "    return base, ratios, features\n";
  src << "def settings(self) -> int:\n    return " << s.settings << "\n";
  src << "def frames(self) -> int:\n    return " << s.frames << "\n";
  std::ostringstream unit;
  unit.precision(17);
  unit << std::showpoint << s.base_unit_bytes;
  src << "def base_unit(self) -> float:\n    return " << unit.str() << "\n";
  m.define(src.str());
  return m;
}

std::vector<double> estimated_sizes(double base_bytes, const torch::Tensor& ratios, size_t settings, size_t base) {
  auto r = ratios.to(torch::kDouble).contiguous();
  std::vector<double> sizes;
  for (size_t s = 0; s < settings; ++s)
    sizes.push_back(s == base ? base_bytes : base_bytes * r.data_ptr<double>()[s < base ? s : s - 1]);
  return sizes;
}

double estimator_macs(const estimator_shape& s) {
  auto d = dims_of(s);
  double g = 2.0 * s.frames;
  return d.h1 * d.w1 * g * 9 + d.h2 * d.w2 * g * 9 + d.h2 * d.w2 * 32 * g + d.h3 * d.w3 * 32 * 9 +
         d.h3 * d.w3 * 64 * 32.0 + d.pooled * 256.0 + 256.0 * s.features + s.features * static_cast<double>(s.settings);
}

int estimator_receptive_field() {
  // 3×3 stride 2; then two dilated 3×3 (span 5) at stride 2; then an 8×8 pool.
  int field = 3, jump = 2;
  for (int k = 0; k < 2; ++k) {
    field += 4 * jump;
    jump *= 2;
  }
  return field + 7 * jump;
}

torch::jit::Module build_performance_encoder(const performance_shape& s, uint64_t seed) {
  torch::manual_seed(seed);
  torch::jit::Module m("penance_performance_encoder");
  const int widths[5] = {16, 32, 48, 64, s.embedding}, strides[5] = {2, 2, 2, 1, 1};
  std::ostringstream src;
  src << "def forward(self, probabilities):\n    x = probabilities\n";
  int in = s.classes;
  for (int b = 0; b < 5; ++b) {
    auto n = std::to_string(b);
    conv(m, "d" + n, in, 1, 3);
    conv(m, "p" + n, widths[b], in, 1);
    src << conv_line("d" + n, strides[b], 1, 1, in) << conv_line("p" + n, 1, 0, 1, 1);
    in = widths[b];
  }
  src << "    return x.mean([2, 3])\n";
  m.define(src.str());
  return m;
}

torch::jit::Module build_adapter(const penance::state_layout& layout, int outputs, uint64_t seed) {
  torch::manual_seed(seed);
  torch::jit::Module m(outputs == 1 ? "penance_critic" : "penance_actor");
  auto sizes = layout.sizes();
  std::ostringstream src;
  src << "def forward(self, state):\n    parts = [";
  size_t at = 0;
  for (size_t k = 0; k < sizes.size(); ++k) {
    auto n = std::to_string(k);
    linear(m, "part" + n, 64, static_cast<int>(sizes[k]));
    src << (k ? ", " : "") << "torch.relu(torch.linear(state.narrow(1, " << at << ", " << sizes[k] << "), self.w_part"
        << n << ", self.b_part" << n << "))";
    at += sizes[k];
  }
  src << "]\n";
  linear(m, "hidden", 128, 64 * static_cast<int>(sizes.size()));
  linear(m, "out", outputs, 128, 1.0);
  src << "    x = torch.relu(torch.linear(torch.cat(parts, 1), self.w_hidden, self.b_hidden))\n"
      << "    return torch.linear(x, self.w_out, self.b_out)\n";
  src << "def state_size(self) -> int:\n    return " << layout.size() << "\n";
  m.define(src.str());
  return m;
}

}  // namespace troupe::learning
