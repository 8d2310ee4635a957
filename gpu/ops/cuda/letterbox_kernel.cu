// The letterbox on the device: one thread per output float of the N × 3 × S × S batch,
// each computing its pixel with the host-tested arithmetic of area_resize.hpp.
#include "gpu/ops/cuda/cuda_check.hpp"
#include "gpu/ops/cuda/kernels.hpp"

namespace troupe::gpu::detail {

namespace {

struct device_image {
  size_t offset;  // into the packed source bytes
  int width, height, step;
  placement where;
};

__global__ void letterbox_kernel(const uint8_t* packed, const device_image* images, int count, int input,
                                 float* out) {
  size_t plane = size_t(input) * input;
  size_t index = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= plane * 3 * count)
    return;
  int x = int(index % input), y = int(index / input % input);
  int c = int(index / plane % 3), n = int(index / plane / 3);
  const device_image& d = images[n];
  image_view view{packed + d.offset, d.width, d.height, d.step, 3};
  out[index] = letterbox_value(view, d.where, x, y, c);
}

}  // namespace

void letterbox_on_device(const std::vector<image_view>& images, const std::vector<placement>& placements,
                         int input, float* out, device_times* times) {
  std::vector<device_image> table;
  size_t bytes = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    auto& im = images[i];
    int row = im.width * 3;  // packed without the source's row padding
    table.push_back({bytes, im.width, im.height, row, placements[i]});
    bytes += size_t(row) * im.height;
  }
  size_t outputs = size_t(images.size()) * 3 * input * input;
  device_buffer<uint8_t> source(bytes);
  device_buffer<device_image> tables(table.size());
  device_buffer<float> result(outputs);
  event_timer timer;
  timer.record(timer.start);
  for (size_t i = 0; i < images.size(); ++i)
    TROUPE_CUDA_CHECK(cudaMemcpy2D(source.data + table[i].offset, table[i].step, images[i].data, images[i].step,
                                   table[i].step, images[i].height, cudaMemcpyHostToDevice));
  TROUPE_CUDA_CHECK(cudaMemcpy(tables.data, table.data(), table.size() * sizeof(device_image), cudaMemcpyHostToDevice));
  timer.record(timer.kernels_start);
  int blocks = int((outputs + letterbox_threads - 1) / letterbox_threads);
  letterbox_kernel<<<blocks, letterbox_threads>>>(source.data, tables.data, int(images.size()), input, result.data);
  TROUPE_CUDA_CHECK(cudaGetLastError());
  timer.record(timer.kernels_end);
  TROUPE_CUDA_CHECK(cudaMemcpy(out, result.data, outputs * sizeof(float), cudaMemcpyDeviceToHost));
  timer.record(timer.end);
  timer.report(times);
}

kernel_report letterbox_report() {
  return report_of("letterbox", reinterpret_cast<const void*>(letterbox_kernel), letterbox_threads);
}

}  // namespace troupe::gpu::detail
