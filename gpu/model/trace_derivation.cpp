#include "gpu/model/trace_derivation.hpp"

#include <algorithm>
#include <cmath>

namespace troupe::gpu {

const char* const derived_assumptions =
    "derived from CPU op shapes, not measured: GEMM 128x64 tiles 256 threads 128 regs 48 KiB smem; elementwise "
    "128 threads x 4 items 32 regs; d = max(FLOP/(0.5 peak) bytes/(0.7 BW) 3 us)";

namespace {

int ceil_div(int64_t a, int64_t b) { return int(std::max<int64_t>(1, (a + b - 1) / b)); }

}  // namespace

kernel derive_kernel(const op_shape& op, const gpu_arch& a) {
  kernel k;
  k.name = op.name;
  if (op.type == op_shape::kind::gemm) {
    k.grid[0] = ceil_div(op.rows, 128);
    k.grid[1] = ceil_div(op.cols, 64);
    k.block[0] = 256;
    k.regs = 128;
    k.static_smem = 48 * 1024;
  } else {
    k.grid[0] = ceil_div(op.rows, 128 * 4);
    k.block[0] = 128;
    k.regs = 32;
  }
  k.dram_bytes = op.in_bytes + op.out_bytes + op.weight_bytes;
  auto compute_us = op.flops / (0.5 * a.peak_tflops * 1e6);          // TFLOP/s = 10⁶ FLOP per µs
  auto memory_us = double(k.dram_bytes) / (0.7 * a.bandwidth_gbs * 1e3);  // GB/s = 10³ bytes per µs
  k.duration_us = std::max({compute_us, memory_us, 3.0});
  return k;
}

kernel_trace derive_trace(const std::vector<op_shape>& ops, const gpu_arch& a, const std::string& model, int input,
                          int batch, double mem_mb) {
  kernel_trace t;
  t.model = model;
  t.input = input;
  t.batch = batch;
  t.arch = a.arch;
  t.source = "derived";
  t.mem_mb = mem_mb;
  t.assumptions = derived_assumptions;
  for (auto& op : ops)
    t.kernels.push_back(derive_kernel(op, a));
  return t;
}

}  // namespace troupe::gpu
