// The overlap bitmask of non-maximum suppression on the device: one thread per
// (row, 64-box word), each running the host-tested mask_word of box_overlap.hpp.
#include "gpu/ops/cuda/cuda_check.hpp"
#include "gpu/ops/cuda/kernels.hpp"

namespace troupe::gpu::detail {

namespace {

__global__ void overlap_mask_kernel(const box* boxes, int n, int words, float iou_threshold, uint64_t* mask) {
  size_t index = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= size_t(n) * words)
    return;
  int i = int(index / words), w = int(index % words);
  mask[index] = mask_word(boxes, n, i, w, iou_threshold);
}

}  // namespace

std::vector<uint64_t> overlap_mask_on_device(const std::vector<box>& boxes, float iou_threshold,
                                             device_times* times) {
  int n = int(boxes.size()), words = mask_words(n);
  std::vector<uint64_t> mask(size_t(n) * words);
  if (n == 0)
    return mask;
  device_buffer<box> on_device(boxes.size());
  device_buffer<uint64_t> bits(mask.size());
  event_timer timer;
  timer.record(timer.start);
  TROUPE_CUDA_CHECK(cudaMemcpy(on_device.data, boxes.data(), boxes.size() * sizeof(box), cudaMemcpyHostToDevice));
  timer.record(timer.kernels_start);
  int blocks = int((mask.size() + nms_threads - 1) / nms_threads);
  overlap_mask_kernel<<<blocks, nms_threads>>>(on_device.data, n, words, iou_threshold, bits.data);
  TROUPE_CUDA_CHECK(cudaGetLastError());
  timer.record(timer.kernels_end);
  TROUPE_CUDA_CHECK(cudaMemcpy(mask.data(), bits.data, mask.size() * sizeof(uint64_t), cudaMemcpyDeviceToHost));
  timer.record(timer.end);
  timer.report(times);
  return mask;
}

kernel_report overlap_mask_report() {
  return report_of("overlap_mask", reinterpret_cast<const void*>(overlap_mask_kernel), nms_threads);
}

}  // namespace troupe::gpu::detail
