#include "learning/kernel_profile.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/script.h>

#include "gpu/model/gpu_arch.hpp"
#include "learning/detector_network.hpp"
#include "learning/octocross_model.hpp"

namespace troupe::learning {

namespace {

using gpu::op_shape;
using shapes_t = std::vector<std::vector<int64_t>>;

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = s.empty() ? 0 : 1;
  for (auto d : s)
    n *= d;
  return n;
}

// Operations that move no data on a GPU (views, metadata, allocation).
bool no_kernel(const std::string& name) {
  static const std::set<std::string> views{
      "aten::view", "aten::reshape", "aten::_reshape_alias", "aten::permute", "aten::transpose", "aten::t",
      "aten::select", "aten::slice", "aten::unsqueeze", "aten::squeeze", "aten::expand", "aten::expand_as",
      "aten::size", "aten::detach", "aten::to", "aten::empty", "aten::empty_like", "aten::zeros", "aten::ones",
      "aten::arange", "aten::item", "aten::_local_scalar_dense", "aten::chunk", "aten::split", "aten::unbind",
      "aten::narrow", "aten::flatten", "aten::numel", "aten::dim", "aten::alias", "aten::as_strided",
      "aten::dropout", "aten::feature_dropout", "aten::lift_fresh", "aten::resolve_conj", "aten::resolve_neg",
      "aten::contiguous", "aten::view_as", "aten::meshgrid", "aten::index_select_backward", "aten::is_nonzero"};
  return views.count(name) > 0;
}

// A GEMM of batch × (m×k · k×n), reading `in_elems` inputs and `weight_elems` weights.
op_shape gemm(const std::string& name, double m, double k, double n, double batch, int64_t in_elems,
              int64_t weight_elems) {
  op_shape op;
  op.type = op_shape::kind::gemm;
  op.name = name;
  op.flops = 2 * batch * m * k * n;
  op.rows = int64_t(batch * m);
  op.cols = int64_t(n);
  op.in_bytes = 4 * in_elems;
  op.weight_bytes = 4 * weight_elems;
  op.out_bytes = int64_t(4 * batch * m * n);
  return op;
}

// conv2d: the output's size from the profiler's FLOPs (2 · out · C/g · R · S), which it
// gives for aten::conv2d only.
op_shape convolution(const std::string& name, const shapes_t& s, double flops) {
  if (s.size() < 2 || s[0].size() != 4 || s[1].size() != 4 || flops <= 0)
    throw std::runtime_error("derive-traces: " + name + " without the input, weight and FLOPs a 2-D convolution "
                             "needs from the profiler");
  auto& w = s[1];
  double per_out = double(w[1] * w[2] * w[3]);
  auto out = flops / (2 * per_out);
  return gemm(name, out / double(w[0]), per_out, double(w[0]), 1, numel(s[0]),
              numel(w) + (s.size() > 2 ? numel(s[2]) : 0));
}

// The matrix products: linear, addmm, mm, bmm, baddbmm, matmul (libtorch's C++ linear
// is a matmul by the transposed weight: a 2-D operand read once, not per batch).
std::optional<op_shape> product(const std::string& name, const shapes_t& s) {
  if (name == "aten::linear" && s.size() >= 2 && s[1].size() == 2 && !s[0].empty()) {
    double k = double(s[1][1]);
    return gemm(name, double(numel(s[0])) / k, k, double(s[1][0]), 1, numel(s[0]),
                numel(s[1]) + (s.size() > 2 ? numel(s[2]) : 0));
  }
  size_t a = (name == "aten::addmm" || name == "aten::baddbmm") ? 1 : 0;
  if ((name == "aten::addmm" || name == "aten::mm" || name == "aten::bmm" || name == "aten::baddbmm" ||
       name == "aten::matmul") &&
      s.size() >= a + 2 && s[a].size() >= 2 && s[a + 1].size() >= 2) {
    auto& x = s[a];
    auto& y = s[a + 1];
    double m = double(x[x.size() - 2]), k = double(x.back()), n = double(y.back());
    return gemm(name, m, k, n, double(numel(x)) / (m * k), numel(x) + numel(y), 0);
  }
  return std::nullopt;
}

op_shape elementwise(const std::string& name, const shapes_t& s) {
  op_shape op;
  op.name = name;
  int64_t biggest = 0, all = 0;
  for (auto& t : s) {
    biggest = std::max(biggest, numel(t));
    all += numel(t);
  }
  op.rows = name == "aten::cat" || name == "aten::stack" ? all : std::max<int64_t>(biggest, 1);
  op.flops = double(op.rows);
  op.in_bytes = 4 * all;
  op.out_bytes = 4 * op.rows;
  return op;
}

std::optional<op_shape> classify(const std::string& name, const shapes_t& s, double flops) {
  if (no_kernel(name))
    return std::nullopt;
  if (name.find("conv") != std::string::npos)
    return convolution(name, s, flops);
  if (auto p = product(name, s))
    return p;
  return elementwise(name, s);
}

}  // namespace

std::vector<op_shape> profile_ops(const std::function<void()>& forward) {
  namespace prof = torch::autograd::profiler;
  using torch::profiler::impl::ProfilerConfig;
  using torch::profiler::impl::ProfilerState;
  prof::enableProfilerLegacy(ProfilerConfig(ProfilerState::CPU, /*report_input_shapes=*/true, false, false,
                                            /*with_flops=*/true));
  try {
    forward();
  } catch (...) {
    prof::disableProfilerLegacy();
    throw;
  }
  auto lists = prof::disableProfilerLegacy();
  auto here = std::max_element(lists.begin(), lists.end(), [](auto& a, auto& b) { return a.size() < b.size(); });
  std::vector<op_shape> ops;
  std::vector<int64_t> first_input;  // per op: its first input's elements (0: the profiler saw none)
  std::vector<bool> open;            // per open range: whether it is an aten op
  size_t aten_open = 0;
  for (auto& e : *here) {
    std::string name = e.name();
    if (e.kind() == prof::EventKind::PushRange) {
      bool aten = name.rfind("aten::", 0) == 0;
      if (aten && aten_open == 0)
        if (auto op = classify(name, e.shapes(), double(e.flops()))) {
          ops.push_back(*op);
          first_input.push_back(e.shapes().empty() ? 0 : numel(e.shapes()[0]));
        }
      open.push_back(aten);
      aten_open += aten;
    } else if (e.kind() == prof::EventKind::PopRange && !open.empty()) {
      aten_open -= open.back();
      open.pop_back();
    }
  }
  if (ops.empty())
    throw std::runtime_error("derive-traces: the profiler saw no operation");
  // A list of tensors (cat, stack) reaches the profiler without shapes: its output is
  // taken to be what the next operation reads first.
  for (size_t i = 0; i + 1 < ops.size(); ++i)
    if (ops[i].type == op_shape::kind::elementwise && ops[i].in_bytes == 0 && first_input[i + 1] > 0) {
      ops[i].rows = first_input[i + 1];
      ops[i].flops = double(ops[i].rows);
      ops[i].in_bytes = ops[i].out_bytes = 4 * ops[i].rows;
    }
  return ops;
}

namespace {

// Device memory of a replica: ⚑ a CUDA context (≈300 MB), the weights, and twice the
// largest operation's inputs and output (activations reused between layers).
double memory_mb(const std::vector<op_shape>& ops) {
  double weights = 0, largest = 0;
  for (auto& op : ops) {
    weights += double(op.weight_bytes);
    largest = std::max(largest, double(op.in_bytes + op.out_bytes));
  }
  return 300 + (weights + 2 * largest) / 1e6;
}

struct job {
  std::string model;
  int input, batch;
  std::function<void()> forward;
};

std::vector<job> jobs_of(const derive_traces_options& o) {
  std::vector<job> jobs;
  for (auto& size : o.detectors)
    for (int input : o.inputs)
      for (int batch : o.detector_batches) {
        auto shape = shape_of(size, input);
        auto net = std::make_shared<torch::jit::Module>(build_network(shape, 1));
        net->eval();
        auto frames = torch::rand({batch, 3, input, input});
        jobs.push_back({"detector-" + size, input, batch, [net, frames] {
                          torch::NoGradGuard no_grad;
                          net->forward({frames});
                        }});
      }
  octocross::model_shape forecaster;  // the defaults: τ 32, d 64, 8 heads, 2 layers, N_max 128
  for (int batch : o.forecaster_batches)
    jobs.push_back({"octocross-n16", 16, batch, octocross_forward_batch(forecaster, 16, batch)});
  return jobs;
}

}  // namespace

std::vector<derived_file> derive_traces(const derive_traces_options& o, const progress_callback& progress) {
  auto archs = gpu::load_gpu_archs(o.archs);
  std::vector<const gpu::gpu_arch*> chosen;
  for (auto& name : o.arch_names)
    chosen.push_back(&gpu::find_arch(archs, name));
  at::set_num_threads(1);  // one thread: the same operations in the same order every time
  auto jobs = jobs_of(o);
  std::vector<derived_file> out;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto& j = jobs[i];
    auto ops = profile_ops(j.forward);
    for (auto* arch : chosen) {
      auto trace = gpu::derive_trace(ops, *arch, j.model, j.input, j.batch, memory_mb(ops));
      auto dir = std::filesystem::path(o.output) / arch->arch;
      std::filesystem::create_directories(dir);
      auto path = (dir / (j.model + "-i" + std::to_string(j.input) + "-b" + std::to_string(j.batch) + ".csv")).string();
      auto temp = path + ".tmp";
      {
        std::ofstream f(temp);
        f << gpu::kernel_trace_text(trace);
        if (!f.flush())
          throw std::runtime_error(temp + ": cannot write");
      }
      std::filesystem::rename(temp, path);
      out.push_back({path, trace.kernels.size(), trace.total_us(), trace.mem_mb});
    }
    if (progress)
      progress({int(i + 1), int(jobs.size()), 0, j.model + " i" + std::to_string(j.input) + " b" + std::to_string(j.batch)});
  }
  return out;
}

}  // namespace troupe::learning
