#include "learning/detector_export.hpp"

#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>

#include "gpu/ops/device.hpp"
#include "gpu/runner/cuda_detector.hpp"
#include "learning/detail/detector_module.hpp"

namespace troupe::learning {

namespace {

std::vector<float> floats_of(const torch::Tensor& t) {
  auto c = t.detach().contiguous().to(torch::kFloat32);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

gpu::conv_layer layer_of(const torch::jit::Module& m, const std::string& w, const std::string& b, int stride,
                         bool leaky) {
  auto weight = detail::parameter_of(m, w);
  gpu::conv_layer l;
  l.out = int(weight.size(0));
  l.in = int(weight.size(1));
  l.kernel = int(weight.size(2));
  l.stride = stride;
  l.pad = l.kernel / 2;  // the network pads its 3×3 convolutions by 1, its 1×1 head by 0
  l.leaky = leaky;
  l.weight = floats_of(weight);
  l.bias = floats_of(detail::parameter_of(m, b));
  return l;
}

// Once per process and reason: why a `backend: cuda` replica runs on the CPU.
void say_once(const std::string& line) {
  static std::mutex mutex;
  static std::set<std::string> said;
  std::lock_guard<std::mutex> lock(mutex);
  if (said.insert(line).second)
    std::fprintf(stderr, "troupe: %s\n", line.c_str());
}

}  // namespace

gpu::detector_plan detector_plan_of(const std::string& torchscript_path) {
  auto d = detail::load_detector_module(torchscript_path);
  gpu::detector_plan plan;
  plan.name = std::filesystem::path(torchscript_path).stem().string();
  plan.input = int(d.input);
  if (d.anchor.size() != 2)
    throw std::runtime_error(torchscript_path + ": its anchor is not a width and a height");
  plan.anchor_w = float(d.anchor[0]);
  plan.anchor_h = float(d.anchor[1]);
  try {
    for (size_t i = 0; i < d.strides.size(); ++i)
      plan.layers.push_back(
          layer_of(d.module, "w" + std::to_string(i), "b" + std::to_string(i), int(d.strides[i]), true));
    plan.layers.push_back(layer_of(d.module, "wh", "bh", 1, false));
  } catch (const std::exception& e) {
    throw std::runtime_error(torchscript_path + ": " + e.what());
  }
  plan.classes = plan.layers.back().out - 5;
  plan.check();
  return plan;
}

std::unique_ptr<vision::detector> cuda_or_cpu(const std::string& path, const vision::network_settings& settings,
                                              std::unique_ptr<vision::detector> cpu) {
  if (!gpu::device_usable()) {
    say_once("backend cuda: " + gpu::cpu_reason() + "; libtorch serves the networks on the CPU");
    return cpu;
  }
  gpu::detector_plan plan;
  try {
    plan = detector_plan_of(path);
  } catch (const std::exception& e) {
    say_once("backend cuda: " + std::string(e.what()) + "; libtorch serves it on the CPU");
    return cpu;
  }
  return gpu::make_cuda_detector(plan, settings, std::move(cpu));
}

}  // namespace troupe::learning
