// A CUDA runtime call that throws cuda_error naming the call and CUDA's message.
#pragma once

#include <string>

#include <cuda_runtime.h>

#include "gpu/ops/detail/cuda_ops.hpp"

#define TROUPE_CUDA_CHECK(call)                                                                    \
  do {                                                                                             \
    cudaError_t troupe_status_ = (call);                                                           \
    if (troupe_status_ != cudaSuccess)                                                             \
      throw ::troupe::gpu::detail::cuda_error(std::string(#call) + ": " +                          \
                                              cudaGetErrorString(troupe_status_));                 \
  } while (0)

namespace troupe::gpu::detail {

// Device memory freed on scope exit, both in `stream`'s order: unlike cudaFree, neither
// waits for the whole device, so networks on other streams run on.
template <class T>
struct device_buffer {
  T* data = nullptr;
  cudaStream_t stream;
  explicit device_buffer(size_t count, cudaStream_t s = nullptr) : stream(s) {
    if (count)
      TROUPE_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void**>(&data), count * sizeof(T), stream));
  }
  ~device_buffer() {
    if (data)
      cudaFreeAsync(data, stream);
  }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
};

// Events bracketing work on a stream, for kernel and total times.
struct event_timer {
  cudaStream_t stream;
  cudaEvent_t start{}, kernels_start{}, kernels_end{}, end{};
  explicit event_timer(cudaStream_t s = nullptr) : stream(s) {
    for (auto* e : {&start, &kernels_start, &kernels_end, &end})
      TROUPE_CUDA_CHECK(cudaEventCreate(e));
  }
  ~event_timer() {
    for (auto e : {start, kernels_start, kernels_end, end})
      cudaEventDestroy(e);
  }
  void record(cudaEvent_t e) const { TROUPE_CUDA_CHECK(cudaEventRecord(e, stream)); }
  void report(device_times* times) const {
    TROUPE_CUDA_CHECK(cudaEventSynchronize(end));
    if (!times)
      return;
    float kernel = 0, total = 0;
    TROUPE_CUDA_CHECK(cudaEventElapsedTime(&kernel, kernels_start, kernels_end));
    TROUPE_CUDA_CHECK(cudaEventElapsedTime(&total, start, end));
    times->kernel_ms = kernel;
    times->total_ms = total;
  }
};

}  // namespace troupe::gpu::detail
