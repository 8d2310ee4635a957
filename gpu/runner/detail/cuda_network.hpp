// The device side of the detector runner in plain types: a plan's weights uploaded
// once, then batches letterboxed, run (cuDNN convolutions, a cuBLAS GEMM for the 1×1
// head, our bias/leaky and decode kernels) and decoded on the device, the rows copied
// back. Built from gpu/runner/cuda/ with TROUPE_CUDA=ON and cuDNN; else every call
// throws cuda_error.
#pragma once

#include <memory>
#include <vector>

#include "gpu/ops/detail/cuda_ops.hpp"
#include "gpu/runner/detector_plan.hpp"

struct CUstream_st;  // cudaStream_t's

namespace troupe::gpu::detail {

struct device_network;

std::shared_ptr<device_network> upload_network(const detector_plan& plan);

// rows: images × grid² × columns floats (host), as run_plan_on_host gives them.
// The first inference of a batch size picks cuDNN's algorithms for it, once.
void infer_on_device(device_network& network, const std::vector<image_view>& images,
                     const std::vector<placement>& placements, float* rows, device_times* times = nullptr);

// The stream the network runs on (kernel_tracer tells its kernels apart by it).
CUstream_st* stream_of(device_network& network);

}  // namespace troupe::gpu::detail
