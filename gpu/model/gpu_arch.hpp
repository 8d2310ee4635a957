// A GPU architecture's per-SM limits (gpu/arch_limits.yaml): what bounds how many
// blocks of a kernel an SM holds at once (thesis §4.4.1), and the peaks that turn an
// operation's work into a duration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace troupe::gpu {

struct gpu_arch {
  std::string arch;  // "sm_80"
  int sms = 0;
  int max_warps = 0, max_blocks = 0;                 // resident per SM
  int64_t regs = 0;                                  // 32-bit registers per SM
  int reg_unit = 256;                                // registers are allocated per warp in these
  int max_regs_per_thread = 255;
  int warp_granule = 4;                              // warps limited by registers round down to this
  int64_t smem = 0;                                  // shared memory per SM, bytes
  int smem_granule = 256, smem_reserved = 0;         // per block: rounded up, the runtime's reservation
  int64_t smem_per_block = 0;                        // the most one block may ask
  double peak_tflops = 0, bandwidth_gbs = 0;         // FP32, DRAM
};

// Every arch in FILE; throws std::runtime_error "file:line:column: message" on a
// missing or non-positive field, an unknown key or a repeated arch.
std::vector<gpu_arch> load_gpu_archs(const std::string& file);

// The arch named `name` among `archs`; throws naming the ones there are.
const gpu_arch& find_arch(const std::vector<gpu_arch>& archs, const std::string& name);

}  // namespace troupe::gpu
