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

namespace {

kernel_report report_of(const std::string& name, int threads, const cudaFuncAttributes& a, int blocks) {
  cudaDeviceProp p{};
  int device = 0;
  TROUPE_CUDA_CHECK(cudaGetDevice(&device));
  TROUPE_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  return {name, threads, a.numRegs, int(a.sharedSizeBytes), blocks,
          "sm_" + std::to_string(p.major) + std::to_string(p.minor)};
}

}  // namespace

std::vector<kernel_report> our_kernels() {
  return {report_of("letterbox", letterbox_threads, letterbox_attributes(), letterbox_blocks_per_sm()),
          report_of("overlap_mask", nms_threads, overlap_mask_attributes(), overlap_mask_blocks_per_sm())};
}

}  // namespace troupe::gpu::detail
