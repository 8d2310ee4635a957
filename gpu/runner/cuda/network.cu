// The detector runner on the device. Per batch: the images letterboxed by our kernel
// straight into the network's input, each 3×3 convolution by cuDNN with bias and leaky
// ReLU in one kernel of ours, the 1×1 head as one strided-batched cuBLAS GEMM, and the
// decode kernel writing the rows that are copied back.
#include <cublas_v2.h>
#include <cudnn.h>

#include "gpu/ops/cuda/cuda_check.hpp"
#include "gpu/runner/detail/cuda_network.hpp"
#include "gpu/runner/detail/decode_cell.hpp"

#define TROUPE_CUDNN_CHECK(call)                                                                        \
  do {                                                                                                  \
    cudnnStatus_t troupe_status_ = (call);                                                              \
    if (troupe_status_ != CUDNN_STATUS_SUCCESS)                                                         \
      throw ::troupe::gpu::detail::cuda_error(std::string(#call) + ": " + cudnnGetErrorString(troupe_status_)); \
  } while (0)

#define TROUPE_CUBLAS_CHECK(call)                                                                       \
  do {                                                                                                  \
    cublasStatus_t troupe_status_ = (call);                                                             \
    if (troupe_status_ != CUBLAS_STATUS_SUCCESS)                                                        \
      throw ::troupe::gpu::detail::cuda_error(std::string(#call) + ": cuBLAS status " +                 \
                                              std::to_string(int(troupe_status_)));                     \
  } while (0)

namespace troupe::gpu::detail {

namespace {

constexpr int threads = 256;

int blocks_for(size_t n) { return int((n + threads - 1) / threads); }

__global__ void letterbox_into(const uint8_t* packed, const size_t* offsets, const image_view* views,
                               const placement* placements, int count, int input, float* out) {
  size_t plane = size_t(input) * input, index = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= plane * 3 * count)
    return;
  int x = int(index % input), y = int(index / input % input), c = int(index / plane % 3), n = int(index / plane / 3);
  image_view v = views[n];
  v.data = packed + offsets[n];
  out[index] = letterbox_value(v, placements[n], x, y, c);
}

__global__ void bias_leaky(float* x, const float* bias, int channels, size_t plane, size_t total, int leaky) {
  size_t index = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total)
    return;
  float v = x[index] + bias[index / plane % channels];
  x[index] = leaky ? fmaxf(v, v * 0.1f) : v;
}

__global__ void decode_rows(const float* head, const float* bias, int images, int channels, int grid, float stride,
                            float anchor_w, float anchor_h, float* rows) {
  size_t cells = size_t(grid) * grid, index = size_t(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= cells * images)
    return;
  int n = int(index / cells), gy = int(index % cells / grid), gx = int(index % grid);
  const float* h = head + size_t(n) * channels * cells;
  float with_bias[64];  // the head's outputs of this cell, biased (5 + classes ≤ 64)
  for (int c = 0; c < channels; ++c)
    with_bias[c] = h[c * cells + gy * grid + gx] + bias[c];
  decode_cell(with_bias, 1, channels, gy, gx, stride, anchor_w, anchor_h, rows + index * channels);
}

// Device memory that only grows: at_least(n) gives room for n items.
template <class T>
struct growing_buffer {
  std::unique_ptr<device_buffer<T>> buffer;
  size_t size = 0;
  T* at_least(size_t n) {
    if (n > size) {
      buffer = std::make_unique<device_buffer<T>>(n);
      size = n;
    }
    return buffer ? buffer->data : nullptr;
  }
};

template <class T>
T* upload(const std::vector<T>& host) {
  T* device = nullptr;
  TROUPE_CUDA_CHECK(cudaMalloc(&device, host.size() * sizeof(T)));
  TROUPE_CUDA_CHECK(cudaMemcpy(device, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice));
  return device;
}

}  // namespace

struct device_network {
  detector_plan plan;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  std::vector<float*> weights, biases;
  cudnnFilterDescriptor_t filter_shape = nullptr;
  cudnnConvolutionDescriptor_t conv_shape = nullptr;
  cudnnTensorDescriptor_t in_shape = nullptr, out_shape = nullptr;
  cudaStream_t stream = nullptr;  // its own, so two networks can run at once
  // Grown to the largest batch asked, never freed between calls: cudaFree would
  // synchronise the device and serialise networks that share it.
  growing_buffer<char> workspace;  // cuDNN's
  growing_buffer<uint8_t> packed;
  growing_buffer<size_t> offset_table;
  growing_buffer<image_view> view_table;
  growing_buffer<placement> placement_table;
  growing_buffer<float> a, b, out;

  ~device_network() {
    for (auto* p : weights)
      cudaFree(p);
    for (auto* p : biases)
      cudaFree(p);
    if (filter_shape) cudnnDestroyFilterDescriptor(filter_shape);
    if (conv_shape) cudnnDestroyConvolutionDescriptor(conv_shape);
    if (in_shape) cudnnDestroyTensorDescriptor(in_shape);
    if (out_shape) cudnnDestroyTensorDescriptor(out_shape);
    if (cublas) cublasDestroy(cublas);
    if (cudnn) cudnnDestroy(cudnn);
    if (stream) cudaStreamDestroy(stream);
  }

  // One 3×3 layer by cuDNN (implicit-GEMM or whatever it finds fastest), then bias and
  // leaky ReLU; `size` becomes the output's side.
  void convolve(const conv_layer& l, int index, int images, const float* in, float* out, int& size) {
    TROUPE_CUDNN_CHECK(cudnnSetTensor4dDescriptor(in_shape, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, images, l.in, size, size));
    TROUPE_CUDNN_CHECK(cudnnSetFilter4dDescriptor(filter_shape, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, l.out, l.in,
                                                  l.kernel, l.kernel));
    TROUPE_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(conv_shape, l.pad, l.pad, l.stride, l.stride, 1, 1,
                                                       CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    // Full float: no TF32 on Ampere and later, so the boxes match the CPU's.
    TROUPE_CUDNN_CHECK(cudnnSetConvolutionMathType(conv_shape, CUDNN_FMA_MATH));
    int n = 0, c = 0, h = 0, w = 0;
    TROUPE_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(conv_shape, in_shape, filter_shape, &n, &c, &h, &w));
    TROUPE_CUDNN_CHECK(cudnnSetTensor4dDescriptor(out_shape, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w));
    cudnnConvolutionFwdAlgoPerf_t perf[8];
    int found = 0;
    TROUPE_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(cudnn, in_shape, filter_shape, conv_shape, out_shape, 8,
                                                              &found, perf));
    if (found == 0)
      throw cuda_error("cuDNN offers no algorithm for layer " + std::to_string(index));
    size_t bytes = 0;
    TROUPE_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(cudnn, in_shape, filter_shape, conv_shape, out_shape,
                                                               perf[0].algo, &bytes));

    float one = 1, zero = 0;
    TROUPE_CUDNN_CHECK(cudnnConvolutionForward(cudnn, &one, in_shape, in, filter_shape, weights[index], conv_shape,
                                               perf[0].algo, workspace.at_least(bytes), bytes, &zero,
                                               out_shape, out));
    size = h;
    size_t plane = size_t(h) * w, total = plane * c * n;
    bias_leaky<<<blocks_for(total), threads, 0, stream>>>(out, biases[index], c, plane, total, l.leaky ? 1 : 0);
    TROUPE_CUDA_CHECK(cudaGetLastError());
  }
};

std::shared_ptr<device_network> upload_network(const detector_plan& plan) {
  plan.check();
  if (plan.columns() > 64)
    throw cuda_error("the runner decodes at most 64 columns, the plan has " + std::to_string(plan.columns()));
  auto net = std::make_shared<device_network>();
  net->plan = plan;
  TROUPE_CUDA_CHECK(cudaStreamCreateWithFlags(&net->stream, cudaStreamNonBlocking));
  TROUPE_CUDNN_CHECK(cudnnCreate(&net->cudnn));
  TROUPE_CUDNN_CHECK(cudnnSetStream(net->cudnn, net->stream));
  TROUPE_CUBLAS_CHECK(cublasCreate(&net->cublas));
  TROUPE_CUBLAS_CHECK(cublasSetStream(net->cublas, net->stream));
  TROUPE_CUBLAS_CHECK(cublasSetMathMode(net->cublas, CUBLAS_PEDANTIC_MATH));  // no TF32 either
  TROUPE_CUDNN_CHECK(cudnnCreateFilterDescriptor(&net->filter_shape));
  TROUPE_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&net->conv_shape));
  TROUPE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&net->in_shape));
  TROUPE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&net->out_shape));
  for (auto& l : plan.layers) {
    net->weights.push_back(upload(l.weight));
    net->biases.push_back(upload(l.bias));
  }
  return net;
}

void infer_on_device(device_network& net, const std::vector<image_view>& images,
                     const std::vector<placement>& placements, float* rows, device_times* times) {
  auto& plan = net.plan;
  int count = int(images.size()), input = plan.input, grid = plan.grid(), columns = plan.columns();
  if (count == 0)
    return;
  std::vector<size_t> offsets;
  std::vector<image_view> views;
  size_t bytes = 0;
  for (auto& im : images) {
    offsets.push_back(bytes);
    views.push_back({nullptr, im.width, im.height, im.width * 3, 3});
    bytes += size_t(im.width) * 3 * im.height;
  }
  size_t widest = size_t(count) * 3 * input * input;  // the largest activation
  for (int i = 0, side = input; i < int(plan.layers.size()); ++i) {
    auto& l = plan.layers[i];
    side = (side + 2 * l.pad - l.kernel) / l.stride + 1;
    widest = std::max(widest, size_t(count) * l.out * side * side);
  }
  auto* packed = net.packed.at_least(bytes);
  auto* offset_table = net.offset_table.at_least(offsets.size());
  auto* view_table = net.view_table.at_least(views.size());
  auto* placement_table = net.placement_table.at_least(placements.size());
  float* a = net.a.at_least(widest);
  float* b = net.b.at_least(widest);
  float* out = net.out.at_least(size_t(count) * grid * grid * columns);
  event_timer timer(net.stream);
  auto to_device = [&](void* to, const void* from, size_t bytes) {
    TROUPE_CUDA_CHECK(cudaMemcpyAsync(to, from, bytes, cudaMemcpyHostToDevice, net.stream));
  };
  timer.record(timer.start);
  for (size_t i = 0; i < images.size(); ++i)
    TROUPE_CUDA_CHECK(cudaMemcpy2DAsync(packed + offsets[i], views[i].step, images[i].data, images[i].step,
                                        views[i].step, images[i].height, cudaMemcpyHostToDevice, net.stream));
  to_device(offset_table, offsets.data(), offsets.size() * sizeof(size_t));
  to_device(view_table, views.data(), views.size() * sizeof(image_view));
  to_device(placement_table, placements.data(), placements.size() * sizeof(placement));
  timer.record(timer.kernels_start);
  size_t inputs = size_t(count) * 3 * input * input;
  letterbox_into<<<blocks_for(inputs), threads, 0, net.stream>>>(packed, offset_table, view_table,
                                                  placement_table, count, input, a);
  TROUPE_CUDA_CHECK(cudaGetLastError());
  float *x = a, *y = b;
  int size = input;
  for (size_t i = 0; i + 1 < plan.layers.size(); ++i) {
    net.convolve(plan.layers[i], int(i), count, x, y, size);
    std::swap(x, y);
  }
  // The 1×1 head: per image, Y (out × cells) = W (out × in) · X (in × cells), row-major,
  // i.e. column-major Yᵀ = Xᵀ Wᵀ; its bias is added in the decode.
  auto& head = plan.layers.back();
  int cells = size * size;
  float one = 1, zero = 0;
  TROUPE_CUBLAS_CHECK(cublasSgemmStridedBatched(net.cublas, CUBLAS_OP_N, CUBLAS_OP_N, cells, head.out, head.in, &one,
                                                x, cells, (long long)head.in * cells, net.weights.back(), head.in,
                                                0, &zero, y, cells, (long long)head.out * cells, count));
  decode_rows<<<blocks_for(size_t(count) * cells), threads, 0, net.stream>>>(y, net.biases.back(), count, columns, size,
                                                              float(plan.stride()), plan.anchor_w, plan.anchor_h,
                                                              out);
  TROUPE_CUDA_CHECK(cudaGetLastError());
  timer.record(timer.kernels_end);
  TROUPE_CUDA_CHECK(cudaMemcpyAsync(rows, out, size_t(count) * cells * columns * sizeof(float),
                                    cudaMemcpyDeviceToHost, net.stream));
  timer.record(timer.end);
  timer.report(times);
}

}  // namespace troupe::gpu::detail
