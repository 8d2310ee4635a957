// The device side of gpu/ops, in plain C++ types so no OpenCV or CUDA header crosses
// it. Built from gpu/ops/cuda/*.cu with TROUPE_CUDA=ON, else from no_cuda.cpp whose
// functions report that there is no device. Each throws cuda_error on a CUDA failure.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "gpu/ops/detail/area_resize.hpp"
#include "gpu/ops/detail/box_overlap.hpp"

namespace troupe::gpu::detail {

struct cuda_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Devices CUDA sees; 0 with the reason in `why` when none can be used.
int cuda_devices(std::string& why);

// Milliseconds by cudaEvent: the kernels alone, and with the copies both ways.
struct device_times {
  double kernel_ms = 0, total_ms = 0;
};

// images[i] placed by placements[i] into out (N × 3 × input × input floats, host).
void letterbox_on_device(const std::vector<image_view>& images, const std::vector<placement>& placements,
                         int input, float* out, device_times* times = nullptr);

// overlap_mask_on_host's result, computed by the GPU.
std::vector<uint64_t> overlap_mask_on_device(const std::vector<box>& boxes, float iou_threshold,
                                             device_times* times = nullptr);

// One of our kernels as the occupancy model sees it and as the CUDA runtime reports it.
struct kernel_report {
  std::string name;
  int threads = 0, regs = 0, static_smem = 0;
  int cuda_blocks_per_sm = 0;  // cudaOccupancyMaxActiveBlocksPerMultiprocessor
  std::string arch;            // sm_XY of the device
};
std::vector<kernel_report> our_kernels();

}  // namespace troupe::gpu::detail
