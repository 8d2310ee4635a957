// A saved network of Troupe's detector family (learning/detector_network) with the
// description its methods carry, as the exporters (ONNX, the CUDA runner's plan) read it.
#pragma once

#include <string>
#include <vector>

#include <torch/script.h>

namespace troupe::learning::detail {

struct detector_module {
  torch::jit::Module module;
  int64_t input = 0;
  std::vector<int64_t> strides;  // of the 3×3 convolutions w0, w1, …
  std::vector<double> anchor;    // width, height in input pixels
};

// Throws std::runtime_error "<path>: not a network from troupe train-detector (…)".
inline detector_module load_detector_module(const std::string& path) {
  detector_module d;
  try {
    d.module = torch::jit::load(path);
    d.input = d.module.get_method("input_size")({}).toInt();
    d.strides = d.module.get_method("strides")({}).toIntVector();
    d.anchor = d.module.get_method("anchor")({}).toDoubleVector();
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": not a network from troupe train-detector (" +
                             std::string(e.what()).substr(0, std::string(e.what()).find('\n')) + ")");
  }
  return d;
}

inline torch::Tensor parameter_of(const torch::jit::Module& m, const std::string& name) {
  for (const auto& p : m.named_parameters())
    if (p.name == name)
      return p.value;
  throw std::runtime_error("no parameter '" + name + "'");
}

}  // namespace troupe::learning::detail
