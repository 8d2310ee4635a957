// Our kernels' launch shapes and their attributes as the CUDA runtime reports them, for
// the check of the occupancy model against cudaOccupancyMaxActiveBlocksPerMultiprocessor.
#pragma once

#include <cuda_runtime.h>

namespace troupe::gpu::detail {

constexpr int letterbox_threads = 256;
constexpr int nms_threads = 128;

struct kernel_report;  // cuda_ops.hpp

// `kernel` (a __global__ function's address) as CUDA reports it at `threads` per block.
kernel_report report_of(const char* name, const void* kernel, int threads);

kernel_report letterbox_report();
kernel_report overlap_mask_report();

}  // namespace troupe::gpu::detail
