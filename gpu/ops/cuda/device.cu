// What CUDA sees, and our kernels' occupancy as the runtime computes it.
#include "gpu/ops/cuda/cuda_check.hpp"
#include "gpu/ops/cuda/kernels.hpp"

namespace troupe::gpu::detail {

int cuda_devices(std::string& why) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    why = std::string("no CUDA device (") + cudaGetErrorString(status) + ")";
    return 0;
  }
  if (count == 0)
    why = "no CUDA device";
  return count;
}

kernel_report report_of(const char* name, const void* kernel, int threads) {
  cudaFuncAttributes a{};
  TROUPE_CUDA_CHECK(cudaFuncGetAttributes(&a, kernel));
  int blocks = 0;
  TROUPE_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, threads, 0));
  cudaDeviceProp p{};
  int device = 0;
  TROUPE_CUDA_CHECK(cudaGetDevice(&device));
  TROUPE_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  return {name, threads, a.numRegs, int(a.sharedSizeBytes), blocks,
          "sm_" + std::to_string(p.major) + std::to_string(p.minor)};
}

std::vector<kernel_report> our_kernels() {
  return {letterbox_report(), overlap_mask_report()};
}

}  // namespace troupe::gpu::detail
