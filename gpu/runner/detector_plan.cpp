#include "gpu/runner/detector_plan.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "gpu/runner/detail/decode_cell.hpp"

namespace troupe::gpu {

int detector_plan::stride() const {
  int s = 1;
  for (auto& l : layers)
    s *= l.stride;
  return s;
}

int detector_plan::grid() const {
  return input / stride();
}

void detector_plan::check() const {
  auto fail = [&](const std::string& why) { throw std::runtime_error("detector plan " + name + ": " + why); };
  if (layers.size() < 2)
    fail("needs convolutions and a head");
  if (input <= 0 || classes <= 0 || input % stride() != 0)
    fail("input " + std::to_string(input) + " is not a positive multiple of the stride " + std::to_string(stride()));
  int channels = 3;
  for (size_t i = 0; i < layers.size(); ++i) {
    auto& l = layers[i];
    if (l.in != channels || l.out <= 0 || l.kernel <= 0 || l.stride <= 0 || l.pad < 0)
      fail("layer " + std::to_string(i) + " does not take " + std::to_string(channels) + " channels");
    if (l.weight.size() != size_t(l.out) * l.in * l.kernel * l.kernel || l.bias.size() != size_t(l.out))
      fail("layer " + std::to_string(i) + " has " + std::to_string(l.weight.size()) + " weights");
    if (i + 1 < layers.size() && (l.pad != l.kernel / 2 || l.kernel % 2 == 0 || !l.leaky))
      fail("layer " + std::to_string(i) + " is not an odd, half-padded convolution with leaky ReLU");
    channels = l.out;
  }
  auto& head = layers.back();
  if (head.out != columns() || head.kernel != 1 || head.leaky || head.pad != 0 || head.stride != 1)
    fail("the head is not a 1x1, stride-1, unpadded convolution to " + std::to_string(columns()) + " channels");
}

namespace {

constexpr char magic[8] = {'T', 'R', 'O', 'U', 'P', 'E', 'D', 'P'};
constexpr int32_t version = 1;

template <class T>
void put(std::ofstream& out, const T& v) {
  out.write(reinterpret_cast<const char*>(&v), sizeof v);
}

template <class T>
T take(std::ifstream& in, const std::string& file) {
  T v{};
  if (!in.read(reinterpret_cast<char*>(&v), sizeof v))
    throw std::runtime_error(file + ": truncated detector plan");
  return v;
}

}  // namespace

void save_plan(const detector_plan& plan, const std::string& file) {
  plan.check();
  std::ofstream out(file, std::ios::binary);
  if (!out)
    throw std::runtime_error(file + ": cannot write");
  out.write(magic, sizeof magic);
  put(out, version);
  put(out, int32_t(plan.input));
  put(out, int32_t(plan.classes));
  put(out, plan.anchor_w);
  put(out, plan.anchor_h);
  put(out, int32_t(plan.layers.size()));
  for (auto& l : plan.layers) {
    for (int32_t v : {l.in, l.out, l.kernel, l.stride, l.pad, int(l.leaky)})
      put(out, v);
    out.write(reinterpret_cast<const char*>(l.weight.data()), std::streamsize(l.weight.size() * sizeof(float)));
    out.write(reinterpret_cast<const char*>(l.bias.data()), std::streamsize(l.bias.size() * sizeof(float)));
  }
  if (!out.flush())
    throw std::runtime_error(file + ": write failed");
}

detector_plan load_plan(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in)
    throw std::runtime_error(file + ": cannot read");
  char head[8] = {};
  in.read(head, sizeof head);
  if (std::memcmp(head, magic, sizeof magic) != 0)
    throw std::runtime_error(file + ": not a Troupe detector plan");
  if (auto v = take<int32_t>(in, file); v != version)
    throw std::runtime_error(file + ": detector plan version " + std::to_string(v) + " (this build reads 1)");
  detector_plan plan;
  plan.name = file.substr(file.find_last_of('/') + 1);
  plan.name = plan.name.substr(0, plan.name.find('.'));
  plan.input = take<int32_t>(in, file);
  plan.classes = take<int32_t>(in, file);
  plan.anchor_w = take<float>(in, file);
  plan.anchor_h = take<float>(in, file);
  int layers = take<int32_t>(in, file);
  if (layers < 2 || layers > 64)
    throw std::runtime_error(file + ": " + std::to_string(layers) + " layers");
  for (int i = 0; i < layers; ++i) {
    conv_layer l;
    l.in = take<int32_t>(in, file), l.out = take<int32_t>(in, file), l.kernel = take<int32_t>(in, file);
    l.stride = take<int32_t>(in, file), l.pad = take<int32_t>(in, file), l.leaky = take<int32_t>(in, file) != 0;
    if (l.in <= 0 || l.out <= 0 || l.kernel <= 0 || l.in > 4096 || l.out > 4096 || l.kernel > 15)
      throw std::runtime_error(file + ": layer " + std::to_string(i) + " has an impossible shape");
    l.weight.resize(size_t(l.out) * l.in * l.kernel * l.kernel);
    l.bias.resize(size_t(l.out));
    for (auto& v : l.weight)
      v = take<float>(in, file);
    for (auto& v : l.bias)
      v = take<float>(in, file);
    plan.layers.push_back(std::move(l));
  }
  plan.check();
  return plan;
}

namespace {

// One image's convolution, direct: out[o][y][x] = b[o] + Σ w[o][i][ky][kx] · in[i][y·s+ky−p][x·s+kx−p].
std::vector<float> convolve(const conv_layer& l, const std::vector<float>& in, int size, int& out_size) {
  out_size = (size + 2 * l.pad - l.kernel) / l.stride + 1;
  std::vector<float> out(size_t(l.out) * out_size * out_size);
  for (int o = 0; o < l.out; ++o)
    for (int y = 0; y < out_size; ++y)
      for (int x = 0; x < out_size; ++x) {
        float sum = l.bias[o];
        for (int i = 0; i < l.in; ++i)
          for (int ky = 0; ky < l.kernel; ++ky) {
            int sy = y * l.stride + ky - l.pad;
            if (sy < 0 || sy >= size)
              continue;
            for (int kx = 0; kx < l.kernel; ++kx) {
              int sx = x * l.stride + kx - l.pad;
              if (sx >= 0 && sx < size)
                sum += l.weight[((size_t(o) * l.in + i) * l.kernel + ky) * l.kernel + kx] * in[(size_t(i) * size + sy) * size + sx];
            }
          }
        out[(size_t(o) * out_size + y) * out_size + x] = l.leaky ? std::max(sum, sum * 0.1f) : sum;
      }
  return out;
}

}  // namespace

std::vector<float> run_plan_on_host(const detector_plan& plan, const float* nchw, int images) {
  size_t plane = size_t(plan.input) * plan.input;
  int grid = plan.grid(), columns = plan.columns();
  std::vector<float> rows(size_t(images) * grid * grid * columns);
  for (int n = 0; n < images; ++n) {
    std::vector<float> x(nchw + n * 3 * plane, nchw + (n + 1) * 3 * plane);
    int size = plan.input;
    for (auto& l : plan.layers)
      x = convolve(l, x, size, size);
    for (int gy = 0; gy < grid; ++gy)
      for (int gx = 0; gx < grid; ++gx)
        detail::decode_cell(&x[size_t(gy) * grid + gx], grid * grid, columns, gy, gx, float(plan.stride()),
                            plan.anchor_w, plan.anchor_h, &rows[((size_t(n) * grid + gy) * grid + gx) * columns]);
  }
  return rows;
}

}  // namespace troupe::gpu
