// Our kernels' launch shapes and their attributes as the CUDA runtime reports them, for
// the check of the occupancy model against cudaOccupancyMaxActiveBlocksPerMultiprocessor.
#pragma once

#include <cuda_runtime.h>

namespace troupe::gpu::detail {

constexpr int letterbox_threads = 256;
constexpr int nms_threads = 128;

cudaFuncAttributes letterbox_attributes();
int letterbox_blocks_per_sm();
cudaFuncAttributes overlap_mask_attributes();
int overlap_mask_blocks_per_sm();

}  // namespace troupe::gpu::detail
