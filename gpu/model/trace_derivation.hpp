// Kernel traces derived, not measured: each operation a model's CPU forward ran (its
// shapes from libtorch's profiler) becomes the one kernel a GPU would most likely run
// for it, at a duration from the arch's peaks (the recipe, stated in each
// trace's `assumptions`). For machines with no GPU; `cupti` traces replace them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"

namespace troupe::gpu {

// One operation of a forward pass.
struct op_shape {
  enum class kind { gemm, elementwise } type = kind::elementwise;
  std::string name;                  // "aten::conv2d"
  double flops = 0;
  int64_t in_bytes = 0, out_bytes = 0, weight_bytes = 0;
  int64_t rows = 0, cols = 0;        // a GEMM's output M × N; an elementwise op's elements in rows
};

// What every derived kernel assumes, written into the trace's header.
extern const char* const derived_assumptions;

// The kernel for `op` on `a`: a GEMM as one implicit-GEMM kernel (128×64 tiles, 256
// threads, 128 registers, 48 KiB shared memory), anything else as an elementwise kernel
// (128 threads × 4 items, 32 registers); d = max(FLOP / (0.5·peak), bytes / (0.7·BW),
// 3 µs); DRAM bytes = in + out + weights.
kernel derive_kernel(const op_shape& op, const gpu_arch& a);

// A whole trace: the header's fields and every op's kernel.
kernel_trace derive_trace(const std::vector<op_shape>& ops, const gpu_arch& a, const std::string& model, int input,
                          int batch, double mem_mb);

}  // namespace troupe::gpu
