// The detector runner on the device. Per batch: the images letterboxed by our kernel
// straight into the network's input, each 3×3 convolution by cuDNN with bias and leaky
// ReLU in one kernel of ours, the 1×1 head as one strided-batched cuBLAS GEMM, and the
// decode kernel writing the rows that are copied back.
#include <algorithm>
#include <map>
#include <stdexcept>

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

// Device memory on a network's stream that only grows: at_least(n) gives room for n
// items, growing (in the stream's order) only for a larger batch.
template <class T>
struct growing_buffer {
  cudaStream_t stream = nullptr;
  std::unique_ptr<device_buffer<T>> buffer;
  size_t size = 0;
  T* at_least(size_t n) {
    if (n > size) {
      buffer.reset();
      buffer = std::make_unique<device_buffer<T>>(n, stream);
      size = n;
    }
    return buffer ? buffer->data : nullptr;
  }
};

// One convolution's weights and the descriptors that do not change with the batch.
struct conv_on_device {
  float* weight = nullptr;
  float* bias = nullptr;
  cudnnFilterDescriptor_t filter = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
};

// For one batch size, chosen once: each activation's shape, each layer's algorithm
// and the workspace the largest needs.
struct batch_setup {
  std::vector<cudnnTensorDescriptor_t> shapes;  // the input of each convolution, then the last output
  std::vector<cudnnConvolutionFwdAlgo_t> algos;
  std::vector<size_t> elements;                 // of each shape
  size_t workspace = 0;
  int side = 0;                                 // of the last output: the grid
};

template <class T>
T* upload(const std::vector<T>& host, cudaStream_t stream) {
  T* device = nullptr;
  TROUPE_CUDA_CHECK(cudaMalloc(&device, host.size() * sizeof(T)));
  TROUPE_CUDA_CHECK(cudaMemcpyAsync(device, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice, stream));
  return device;
}

// The first algorithm cuDNN's heuristics rank that works in full float (no tensor-op
// math: the rows must match the CPU's).
cudnnConvolutionFwdAlgo_t pick(const cudnnConvolutionFwdAlgoPerf_t* perf, int found, size_t layer) {
  for (int i = 0; i < found; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].mathType != CUDNN_TENSOR_OP_MATH)
      return perf[i].algo;
  throw cuda_error("cuDNN offers no full-float algorithm for layer " + std::to_string(layer));
}

}  // namespace

// Not to be used from two threads at once: a network is one replica worker's.
struct device_network {
  detector_plan plan;
  cudnnHandle_t cudnn = nullptr;
  cublasHandle_t cublas = nullptr;
  cudaStream_t stream = nullptr;  // its own, so two networks can run at once
  std::vector<conv_on_device> layers;  // the 3×3 convolutions; the head is a GEMM
  float* head_weight = nullptr;
  float* head_bias = nullptr;
  std::map<int, batch_setup> setups;
  growing_buffer<char> workspace;  // cuDNN's
  growing_buffer<uint8_t> packed;
  growing_buffer<size_t> offset_table;
  growing_buffer<image_view> view_table;
  growing_buffer<placement> placement_table;
  growing_buffer<float> a, b, out;

  ~device_network() {
    for (auto& l : layers) {
      cudaFree(l.weight);
      cudaFree(l.bias);
      if (l.filter) cudnnDestroyFilterDescriptor(l.filter);
      if (l.conv) cudnnDestroyConvolutionDescriptor(l.conv);
    }
    cudaFree(head_weight);
    cudaFree(head_bias);
    for (auto& [images, s] : setups)
      for (auto d : s.shapes)
        cudnnDestroyTensorDescriptor(d);
    if (cublas) cublasDestroy(cublas);
    if (cudnn) cudnnDestroy(cudnn);
    if (stream) cudaStreamDestroy(stream);
  }

  const batch_setup& setup_for(int images) {
    if (auto found = setups.find(images); found != setups.end())
      return found->second;
    auto& s = setups[images];
    int channels = 3, side = plan.input;
    auto add_shape = [&] {
      cudnnTensorDescriptor_t d = nullptr;
      TROUPE_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d));
      s.shapes.push_back(d);
      TROUPE_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, images, channels, side, side));
      s.elements.push_back(size_t(images) * channels * side * side);
    };
    add_shape();
    for (size_t i = 0; i < layers.size(); ++i) {
      int n = 0, c = 0, h = 0, w = 0;
      TROUPE_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(layers[i].conv, s.shapes[i], layers[i].filter, &n, &c, &h, &w));
      channels = c, side = h;
      add_shape();
      cudnnConvolutionFwdAlgoPerf_t perf[8];
      int found = 0;
      TROUPE_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(cudnn, s.shapes[i], layers[i].filter, layers[i].conv,
                                                                s.shapes[i + 1], 8, &found, perf));
      s.algos.push_back(pick(perf, found, i));
      size_t bytes = 0;
      TROUPE_CUDNN_CHECK(cudnnGetConvolutionForwardWorkspaceSize(cudnn, s.shapes[i], layers[i].filter, layers[i].conv,
                                                                 s.shapes[i + 1], s.algos.back(), &bytes));
      s.workspace = std::max(s.workspace, bytes);
    }
    if (side != plan.grid())
      throw cuda_error("the convolutions end on a " + std::to_string(side) + "-cell side, the plan's grid is " +
                       std::to_string(plan.grid()));
    s.side = side;
    return s;
  }
};

std::shared_ptr<device_network> upload_network(const detector_plan& plan) {
  plan.check();
  if (plan.columns() > 64)
    throw cuda_error("the runner decodes at most 64 columns, the plan has " + std::to_string(plan.columns()));
  auto net = std::make_shared<device_network>();
  net->plan = plan;
  TROUPE_CUDA_CHECK(cudaStreamCreateWithFlags(&net->stream, cudaStreamNonBlocking));
  for (auto* s : {&net->workspace.stream, &net->packed.stream, &net->offset_table.stream, &net->view_table.stream,
                  &net->placement_table.stream})
    *s = net->stream;
  net->a.stream = net->b.stream = net->out.stream = net->stream;
  TROUPE_CUDNN_CHECK(cudnnCreate(&net->cudnn));
  TROUPE_CUDNN_CHECK(cudnnSetStream(net->cudnn, net->stream));
  TROUPE_CUBLAS_CHECK(cublasCreate(&net->cublas));
  TROUPE_CUBLAS_CHECK(cublasSetStream(net->cublas, net->stream));  // SGEMM's default math has no TF32
  for (size_t i = 0; i + 1 < plan.layers.size(); ++i) {
    auto& l = plan.layers[i];
    conv_on_device d;
    d.weight = upload(l.weight, net->stream);
    d.bias = upload(l.bias, net->stream);
    TROUPE_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d.filter));
    TROUPE_CUDNN_CHECK(cudnnSetFilter4dDescriptor(d.filter, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, l.out, l.in, l.kernel,
                                                  l.kernel));
    TROUPE_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d.conv));
    TROUPE_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(d.conv, l.pad, l.pad, l.stride, l.stride, 1, 1,
                                                       CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
    // Full float: no TF32 on Ampere and later, so the boxes match the CPU's.
    TROUPE_CUDNN_CHECK(cudnnSetConvolutionMathType(d.conv, CUDNN_FMA_MATH));
    net->layers.push_back(d);
  }
  net->head_weight = upload(plan.layers.back().weight, net->stream);
  net->head_bias = upload(plan.layers.back().bias, net->stream);
  TROUPE_CUDA_CHECK(cudaStreamSynchronize(net->stream));  // the weights are there before anything reads them
  return net;
}

void infer_on_device(device_network& net, const std::vector<image_view>& images,
                     const std::vector<placement>& placements, float* rows, device_times* times) {
  auto& plan = net.plan;
  int count = int(images.size()), input = plan.input, columns = plan.columns();
  if (placements.size() != images.size())
    throw std::invalid_argument("infer_on_device: " + std::to_string(images.size()) + " images, " +
                                std::to_string(placements.size()) + " placements");
  if (count == 0)
    return;
  auto& s = net.setup_for(count);
  std::vector<size_t> offsets;
  std::vector<image_view> views;
  size_t bytes = 0;
  for (auto& im : images) {
    offsets.push_back(bytes);
    views.push_back({nullptr, im.width, im.height, im.width * 3, 3});
    bytes += size_t(im.width) * 3 * im.height;
  }
  int cells = s.side * s.side;
  // Every buffer sized before the first launch (see growing_buffer).
  size_t widest = *std::max_element(s.elements.begin(), s.elements.end());
  widest = std::max(widest, size_t(count) * columns * cells);
  auto* packed = net.packed.at_least(bytes);
  auto* offset_table = net.offset_table.at_least(offsets.size());
  auto* view_table = net.view_table.at_least(views.size());
  auto* placement_table = net.placement_table.at_least(placements.size());
  float* x = net.a.at_least(widest);
  float* y = net.b.at_least(widest);
  float* out = net.out.at_least(size_t(count) * cells * columns);
  char* workspace = net.workspace.at_least(s.workspace);

  event_timer timer(net.stream);
  auto to_device = [&](void* to, const void* from, size_t n) {
    TROUPE_CUDA_CHECK(cudaMemcpyAsync(to, from, n, cudaMemcpyHostToDevice, net.stream));
  };
  timer.record(timer.start);
  for (size_t i = 0; i < images.size(); ++i)
    TROUPE_CUDA_CHECK(cudaMemcpy2DAsync(packed + offsets[i], views[i].step, images[i].data, images[i].step,
                                        views[i].step, images[i].height, cudaMemcpyHostToDevice, net.stream));
  to_device(offset_table, offsets.data(), offsets.size() * sizeof(size_t));
  to_device(view_table, views.data(), views.size() * sizeof(image_view));
  to_device(placement_table, placements.data(), placements.size() * sizeof(placement));
  timer.record(timer.kernels_start);
  letterbox_into<<<blocks_for(s.elements[0]), threads, 0, net.stream>>>(packed, offset_table, view_table,
                                                                          placement_table, count, input, x);
  TROUPE_CUDA_CHECK(cudaGetLastError());
  float one = 1, zero = 0;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    auto& l = net.layers[i];
    TROUPE_CUDNN_CHECK(cudnnConvolutionForward(net.cudnn, &one, s.shapes[i], x, l.filter, l.weight, l.conv, s.algos[i],
                                               workspace, s.workspace, &zero, s.shapes[i + 1], y));
    size_t total = s.elements[i + 1], plane = total / (size_t(count) * plan.layers[i].out);
    bias_leaky<<<blocks_for(total), threads, 0, net.stream>>>(y, l.bias, plan.layers[i].out, plane, total, 1);
    TROUPE_CUDA_CHECK(cudaGetLastError());
    std::swap(x, y);
  }
  // The 1×1 head: per image, Y (out × cells) = W (out × in) · X (in × cells), row-major,
  // i.e. column-major Yᵀ = Xᵀ Wᵀ; its bias is added in the decode.
  auto& head = plan.layers.back();
  TROUPE_CUBLAS_CHECK(cublasSgemmStridedBatched(net.cublas, CUBLAS_OP_N, CUBLAS_OP_N, cells, head.out, head.in, &one,
                                                x, cells, (long long)head.in * cells, net.head_weight, head.in, 0,
                                                &zero, y, cells, (long long)head.out * cells, count));
  decode_rows<<<blocks_for(size_t(count) * cells), threads, 0, net.stream>>>(
      y, net.head_bias, count, columns, s.side, float(plan.stride()), plan.anchor_w, plan.anchor_h, out);
  TROUPE_CUDA_CHECK(cudaGetLastError());
  timer.record(timer.kernels_end);
  TROUPE_CUDA_CHECK(cudaMemcpyAsync(rows, out, size_t(count) * cells * columns * sizeof(float), cudaMemcpyDeviceToHost,
                                    net.stream));
  timer.record(timer.end);
  timer.report(times);
}

CUstream_st* stream_of(device_network& net) {
  return net.stream;
}

}  // namespace troupe::gpu::detail
