#include "learning/detector_network.hpp"

#include <cmath>
#include <sstream>

namespace troupe::learning {

int network_shape::stride() const {
  int s = 1;
  for (int st : strides)
    s *= st;
  return s;
}

std::vector<std::string> network_sizes() {
  return {"n", "s", "m"};
}

network_shape shape_of(const std::string& size, int input) {
  network_shape shape;
  shape.size = size;
  shape.input = input;
  shape.strides = {2, 2, 2, 1, 1};
  if (size == "n")
    shape.widths = {8, 16, 24, 32, 32};
  else if (size == "s")
    shape.widths = {16, 32, 48, 64, 64};
  else if (size == "m")
    shape.widths = {24, 48, 72, 96, 96};
  else
    throw std::runtime_error("unknown detector size '" + size + "' (known: n, s, m)");
  if (input % shape.stride() != 0)
    throw std::runtime_error("input " + std::to_string(input) + " is not a multiple of the stride " +
                             std::to_string(shape.stride()));
  return shape;
}

namespace {

std::string script(const network_shape& s) {
  std::ostringstream src;
  src << "def raw(self, x):\n";
  for (size_t i = 0; i < s.widths.size(); ++i)
    src << "    x = torch.conv2d(x, self.w" << i << ", self.b" << i << ", [" << s.strides[i] << ", "
        << s.strides[i] << "], [1, 1])\n"
        << "    x = torch.maximum(x, x * 0.1)\n";  // leaky ReLU
  src << "    return torch.conv2d(x, self.wh, self.bh)\n";
  src << "def forward(self, x):\n"
      << "    p = self.raw(x).permute(0, 2, 3, 1)\n"
      << "    gh = p.size(1)\n"
      << "    gw = p.size(2)\n"
      << "    gy = torch.arange(gh).to(p.dtype).view(1, gh, 1)\n"
      << "    gx = torch.arange(gw).to(p.dtype).view(1, 1, gw)\n"
      << "    cx = (torch.sigmoid(p[:, :, :, 0]) + gx) * " << s.stride() << ".0\n"
      << "    cy = (torch.sigmoid(p[:, :, :, 1]) + gy) * " << s.stride() << ".0\n"
      << "    w = torch.exp(torch.clamp(p[:, :, :, 2], -4.0, 4.0)) * " << s.anchor_w << "\n"
      << "    h = torch.exp(torch.clamp(p[:, :, :, 3], -4.0, 4.0)) * " << s.anchor_h << "\n"
      << "    obj = torch.sigmoid(p[:, :, :, 4])\n"
      << "    cls = torch.sigmoid(p[:, :, :, 5:])\n"
      << "    out = torch.cat([torch.stack([cx, cy, w, h, obj], 3), cls], 3)\n"
      << "    return out.reshape(p.size(0), gh * gw, " << 5 + s.classes << ")\n";
  src << "def input_size(self) -> int:\n    return " << s.input << "\n";
  // What an exporter needs to rebuild forward() elsewhere (ONNX).
  src << "def strides(self) -> List[int]:\n    return [";
  for (size_t i = 0; i < s.strides.size(); ++i)
    src << (i ? ", " : "") << s.strides[i];
  src << "]\n";
  src << "def anchor(self) -> List[float]:\n    return [" << std::to_string(s.anchor_w) << ", "
      << std::to_string(s.anchor_h) << "]\n";
  return src.str();
}

torch::Tensor he_normal(int out, int in, int k) {
  return torch::randn({out, in, k, k}) * std::sqrt(2.0 / (in * k * k));
}

}  // namespace

torch::jit::Module build_network(const network_shape& shape, uint64_t seed) {
  torch::manual_seed(seed);
  torch::jit::Module m("troupe_detector_" + shape.size);
  int in = 3;
  for (size_t i = 0; i < shape.widths.size(); ++i) {
    m.register_parameter("w" + std::to_string(i), he_normal(shape.widths[i], in, 3).requires_grad_(), false);
    m.register_parameter("b" + std::to_string(i), torch::zeros({shape.widths[i]}).requires_grad_(), false);
    in = shape.widths[i];
  }
  m.register_parameter("wh", (torch::randn({5 + shape.classes, in, 1, 1}) * 0.01).requires_grad_(), false);
  // Objectness starts near 1% (a rare positive), as detectors' prior init does.
  auto bias = torch::zeros({5 + shape.classes});
  bias[4] = -4.6;
  m.register_parameter("bh", bias.requires_grad_(), false);
  m.define(script(shape));
  return m;
}

}  // namespace troupe::learning
