// Kernels with hand-computable occupancy on the published sm_80 limits, shared by the
// GPU model's tests and ROOMIE's.
#pragma once

#include <string>

#include "gpu/model/occupancy.hpp"

namespace troupe::gpu::testing {

inline const gpu_arch& sm80() {
  static auto archs = load_gpu_archs(std::string(TROUPE_SOURCE_DIR) + "/gpu/arch_limits.yaml");
  return find_arch(archs, "sm_80");
}

inline kernel make(const std::string& name, int threads, int regs, int64_t smem, double us) {
  kernel k;
  k.name = name;
  k.block[0] = threads;
  k.regs = regs;
  k.static_smem = smem;
  k.duration_us = us;
  return k;
}

// The implicit GEMM: 256 threads, 128 registers, 48 KiB of shared memory.
inline kernel gemm(double us) { return make("gemm", 256, 128, 48 * 1024, us); }
// Registers fill the SM, no shared memory: 256 threads at 128 registers.
inline kernel reg_bound(double us) { return make("regs", 256, 128, 0, us); }
// One warp per block, no registers, 80 KiB of shared memory: two blocks per SM.
inline kernel smem_bound(double us) { return make("smem", 32, 0, 80 * 1024, us); }
// The elementwise kernel: 128 threads, 32 registers.
inline kernel elementwise(double us) { return make("elementwise", 128, 32, 0, us); }

inline kernel_cost cost(const kernel& k) {
  kernel_trace t;
  t.file = "hand";
  t.kernels = {k};
  return costs_of(t, sm80())[0];
}

}  // namespace troupe::gpu::testing
