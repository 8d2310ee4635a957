// gpu_bench: the GPU operations checked and timed, in one run. With a device: the
// device's letterbox pixels and NMS masks against the same arithmetic run on the host
// (letterbox values more than one level apart, or any mask bit, fail the run; the
// number of values that differ at all is printed), our kernels' occupancy as CUDA reports it, and
// cudaEvent times (kernels alone, and with the copies both ways) for letterbox batches
// of 1, 8 and 32 720p frames into 320 and 640 and NMS masks of 1 k and 10 k boxes,
// against one CPU core: OpenCV's resize and vision's NMS where built inside Troupe,
// else the host run of the kernels' arithmetic. Medians (min–max) of the rounds after a
// warm-up. Each detector plan named (troupe export-plan; scripts/gpu-fixtures.sh makes
// them) is also run by the CUDA runner: its rows against the plan's host reference
// (which the CPU tests pin to TorchScript; beyond 1e-3 fails), then frames/s per batch
// size against the host reference on one core. Without a device it says why, prints
// the CPU side and exits 1.
// Usage: gpu_bench [rounds] [PLAN...]   (rounds default 15)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gpu/ops/detail/cuda_ops.hpp"
#include "gpu/runner/detail/cuda_network.hpp"

#ifdef TROUPE_GPU_BENCH_OPENCV
#include <opencv2/core.hpp>
#include "vision/yolo_output.hpp"
#endif

using namespace troupe::gpu::detail;

namespace {

struct spread {
  double median = 0, min = 0, max = 0;
};

spread spread_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return {n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v.front(), v.back()};
}

std::string text(const spread& s) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.3f (%.3f-%.3f)", s.median, s.min, s.max);
  return buf;
}

double ms_of(const std::function<void()>& f) {
  auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

spread measure(int rounds, const std::function<void()>& f) {
  f();
  std::vector<double> ms;
  for (int r = 0; r < rounds; ++r)
    ms.push_back(ms_of(f));
  return spread_of(ms);
}

// Device times of `rounds` calls after a warm-up.
std::pair<spread, spread> device_measure(int rounds, const std::function<device_times()>& f) {
  f();
  std::vector<double> kernels, totals;
  for (int r = 0; r < rounds; ++r) {
    auto t = f();
    kernels.push_back(t.kernel_ms);
    totals.push_back(t.total_ms);
  }
  return {spread_of(kernels), spread_of(totals)};
}

// An image with structure: smooth gradients plus noise, deterministic per seed.
struct image {
  int width, height;
  std::vector<uint8_t> bytes;
  image_view view() const { return {bytes.data(), width, height, width * 3, 3}; }
};

image make_image(int width, int height, unsigned seed) {
  image im{width, height, std::vector<uint8_t>(size_t(width) * height * 3)};
  std::mt19937 rng(seed);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < 3; ++c)
        im.bytes[(size_t(y) * width + x) * 3 + c] = uint8_t((x * (c + 1) + y * 3 + rng() % 32) & 255);
  return im;
}

// fit_letterbox's placement, without OpenCV.
placement place(const image& im, int input) {
  float scale = std::min(float(input) / im.width, float(input) / im.height);
  placement p;
  p.input = input;
  p.scaled_width = int(std::lround(im.width * scale));
  p.scaled_height = int(std::lround(im.height * scale));
  p.pad_x = (input - p.scaled_width) / 2;
  p.pad_y = (input - p.scaled_height) / 2;
  return p;
}

void host_letterbox(const std::vector<image>& images, const std::vector<placement>& placed, int input, float* out) {
  size_t plane = size_t(input) * input;
  for (size_t i = 0; i < images.size(); ++i)
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < input; ++y)
        for (int x = 0; x < input; ++x)
          out[(i * 3 + c) * plane + size_t(y) * input + x] = letterbox_value(images[i].view(), placed[i], x, y, c);
}

std::vector<box> random_boxes(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> at(-20, 1200), size(1, 200);
  std::vector<box> boxes;
  for (int i = 0; i < n; ++i)
    boxes.push_back({at(rng), at(rng), size(rng), size(rng), int(rng() % 3)});
  return boxes;  // taken as already in score order
}

int parity(bool device) {
  int failures = 0;
  std::vector<image> images;
  unsigned seed = 1;
  for (auto [w, h] : std::vector<std::pair<int, int>>{{1280, 720}, {1, 1}, {1000, 10}, {10, 1000}, {333, 211},
                                                      {100, 60}, {640, 480}, {1920, 1080}})
    images.push_back(make_image(w, h, seed++));
  for (int input : {320, 640}) {
    std::vector<image_view> views;
    std::vector<placement> placed;
    for (auto& im : images)
      views.push_back(im.view()), placed.push_back(place(im, input));
    std::vector<float> host(images.size() * 3 * input * input), on_device(host.size());
    host_letterbox(images, placed, input, host.data());
    if (!device)
      continue;
    letterbox_on_device(views, placed, input, on_device.data());
    size_t differ = 0;
    float worst = 0;
    for (size_t k = 0; k < host.size(); ++k) {
      float d = std::abs(host[k] - on_device[k]);
      differ += d > 0;
      worst = std::max(worst, d);
    }
    std::printf("parity: letterbox of %zu images into %d: %zu of %zu values differ (largest %.6f)\n", images.size(),
                input, differ, host.size(), worst);
    failures += worst > 1.f / 255 + 1e-6f;
  }
  for (int n : {1, 63, 64, 65, 1000, 10000}) {
    auto boxes = random_boxes(n, unsigned(n));
    auto host = overlap_mask_on_host(boxes, 0.45f);
    if (!device)
      continue;
    bool same = overlap_mask_on_device(boxes, 0.45f) == host;
    std::printf("parity: NMS mask of %d boxes: %s (%zu kept)\n", n, same ? "identical" : "DIFFERENT",
                reduce_mask(host, n).size());
    failures += !same;
  }
  return failures;
}

void letterbox_times(int rounds, bool device) {
  std::printf("letterbox, 720p frames, ms per batch, median (min-max) of %d:\n  %-6s %-6s %-24s %-24s %-24s %s\n",
              rounds, "batch", "input", "one CPU core", "GPU kernels", "GPU with copies", "CPU / GPU with copies");
  for (int batch : {1, 8, 32})
    for (int input : {320, 640}) {
      std::vector<image> images;
      std::vector<image_view> views;
      std::vector<placement> placed;
      for (int i = 0; i < batch; ++i)
        images.push_back(make_image(1280, 720, unsigned(i)));
      for (auto& im : images)
        views.push_back(im.view()), placed.push_back(place(im, input));
      std::vector<float> out(size_t(batch) * 3 * input * input);
#ifdef TROUPE_GPU_BENCH_OPENCV
      std::vector<cv::Mat> mats;
      for (auto& im : images)
        mats.emplace_back(im.height, im.width, CV_8UC3, const_cast<uint8_t*>(im.bytes.data()));
      auto cpu = measure(rounds, [&] {
        for (auto& m : mats) {
          cv::Mat f;
          troupe::vision::apply_letterbox(m, troupe::vision::fit_letterbox(m.size(), {input, input}))
              .convertTo(f, CV_32FC3, 1.0 / 255);
        }
      });
#else
      auto cpu = measure(std::min(rounds, 3), [&] { host_letterbox(images, placed, input, out.data()); });
#endif
      std::string kernels = "-", total = "-", ratio = "-";
      if (device) {
        auto [k, t] = device_measure(rounds, [&] {
          device_times times;
          letterbox_on_device(views, placed, input, out.data(), &times);
          return times;
        });
        kernels = text(k), total = text(t);
        ratio = std::to_string(cpu.median / t.median).substr(0, 6) + "x";
      }
      std::printf("  %-6d %-6d %-24s %-24s %-24s %s\n", batch, input, text(cpu).c_str(), kernels.c_str(), total.c_str(),
                  ratio.c_str());
    }
}

void nms_times(int rounds, bool device) {
  std::printf("NMS, three classes, IoU 0.45, ms:\n  %-6s %-24s %-24s %-24s %-24s %s\n", "boxes", "one CPU core",
              "GPU mask kernel", "GPU mask with copies", "host reduce", "CPU / GPU whole");
  for (int n : {1000, 10000}) {
    auto boxes = random_boxes(n, 3);
#ifdef TROUPE_GPU_BENCH_OPENCV
    std::vector<troupe::vision::detection> detections;
    for (int i = 0; i < n; ++i)
      detections.push_back({{boxes[i].x, boxes[i].y, boxes[i].width, boxes[i].height}, boxes[i].label, 1.f - i * 1e-5f});
    auto cpu = measure(rounds, [&] { troupe::vision::non_max_suppression(detections, 0.45f); });
#else
    auto cpu = measure(std::min(rounds, 3), [&] { reduce_mask(overlap_mask_on_host(boxes, 0.45f), n); });
#endif
    std::string kernels = "-", total = "-", reduce = "-", ratio = "-";
    if (device) {
      auto [k, t] = device_measure(rounds, [&] {
        device_times times;
        overlap_mask_on_device(boxes, 0.45f, &times);
        return times;
      });
      auto mask = overlap_mask_on_device(boxes, 0.45f);
      auto r = measure(rounds, [&] { reduce_mask(mask, n); });
      kernels = text(k), total = text(t), reduce = text(r);
      ratio = std::to_string(cpu.median / (t.median + r.median)).substr(0, 6) + "x";
    }
    std::printf("  %-6d %-24s %-24s %-24s %-24s %s\n", n, text(cpu).c_str(), kernels.c_str(), total.c_str(),
                reduce.c_str(), ratio.c_str());
  }
}

// The runner's rows against the host reference for two images; true when within 1e-3.
bool runner_parity(const troupe::gpu::detector_plan& plan, device_network& net) {
  std::vector<image> images = {make_image(1280, 720, 11), make_image(333, 211, 12)};
  std::vector<image_view> views;
  std::vector<placement> placed;
  for (auto& im : images)
    views.push_back(im.view()), placed.push_back(place(im, plan.input));
  std::vector<float> input(images.size() * 3 * plan.input * plan.input);
  host_letterbox(images, placed, plan.input, input.data());
  auto host = troupe::gpu::run_plan_on_host(plan, input.data(), int(images.size()));
  std::vector<float> device(host.size());
  infer_on_device(net, views, placed, device.data());
  double worst = 0;
  for (size_t i = 0; i < host.size(); ++i)
    worst = std::max(worst, std::abs(double(host[i]) - device[i]) / std::max(1.0, std::abs(double(host[i]))));
  std::printf("parity: runner %s at %d: rows within %.2e of the host reference (%s)\n", plan.name.c_str(), plan.input,
              worst, worst <= 1e-3 ? "ok" : "FAILED");
  return worst <= 1e-3;
}

void runner_times(const troupe::gpu::detector_plan& plan, device_network* net, int rounds) {
  std::vector<image> frames;
  for (int i = 0; i < 32; ++i)
    frames.push_back(make_image(1280, 720, unsigned(100 + i)));
  std::vector<float> input(3 * size_t(plan.input) * plan.input);
  placement p = place(frames[0], plan.input);
  host_letterbox({frames[0]}, {p}, plan.input, input.data());
  auto cpu = measure(std::min(rounds, 3), [&] { troupe::gpu::run_plan_on_host(plan, input.data(), 1); });
  std::printf("  %-12s %-5d host reference, one core: %.1f frames/s\n", plan.name.c_str(), plan.input, 1000 / cpu.median);
  if (!net)
    return;
  for (int batch : {1, 8, 32}) {
    std::vector<image_view> views;
    std::vector<placement> placed;
    for (int i = 0; i < batch; ++i)
      views.push_back(frames[i].view()), placed.push_back(p);
    std::vector<float> rows(size_t(batch) * plan.grid() * plan.grid() * plan.columns());
    auto [k, t] = device_measure(rounds, [&] {
      device_times times;
      infer_on_device(*net, views, placed, rows.data(), &times);
      return times;
    });
    std::printf("  %-12s %-5d batch %-3d GPU: %.0f frames/s with copies (%.3f ms, kernels %.3f ms)\n", plan.name.c_str(),
                plan.input, batch, batch * 1000 / t.median, t.median, k.median);
  }
}

int runner(const std::vector<std::string>& plans, int rounds, bool device) {
  int failures = 0;
  if (!plans.empty())
    std::printf("detector runner, 720p frames:\n");
  for (auto& file : plans) {
    auto plan = troupe::gpu::load_plan(file);
    std::shared_ptr<device_network> net;
    if (device) {
      net = upload_network(plan);
      failures += !runner_parity(plan, *net);
    }
    runner_times(plan, net.get(), rounds);
  }
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 15;
  if (rounds < 1) {
    std::fprintf(stderr, "usage: gpu_bench [rounds >= 1] [PLAN...]\n");
    return 2;
  }
  std::vector<std::string> plans(argv + std::min(argc, 2), argv + argc);
  std::string why;
  bool device = cuda_devices(why) > 0;
  try {
    if (device)
      for (auto& k : our_kernels())
        std::printf("device %s: kernel %s, %d threads, %d registers, %d B static shared, %d blocks per SM (CUDA)\n",
                    k.arch.c_str(), k.name.c_str(), k.threads, k.regs, k.static_smem, k.cuda_blocks_per_sm);
    else
      std::printf("no device (%s): the CPU side alone\n", why.c_str());
#ifdef TROUPE_GPU_BENCH_OPENCV
    std::printf("CPU side: OpenCV's resize and vision's NMS on one core\n");
    cv::setNumThreads(1);
#else
    std::printf("CPU side: the kernels' own arithmetic run on one host core (no OpenCV in this build)\n");
#endif
    int failures = parity(device);
    letterbox_times(rounds, device);
    nms_times(rounds, device);
    failures += runner(plans, rounds, device);
    if (failures)
      std::printf("%d parity checks FAILED\n", failures);
    return device && failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {  // a CUDA error, or a plan that does not load
    std::printf("error: %s\n", e.what());
    return 1;
  }
}
