// kernel_tracer: measured kernel traces of the detector runner, and how two runners
// slow each other, on the GPU at hand. For each plan (troupe export-plan) and batch
// size, the runner's inference is repeated under CUPTI's kernel activity tracing; each
// kernel's duration is the median over the repeats and the trace is written as
// OUT/<arch>/<model>-i<input>-b<batch>.csv in Troupe's trace format (source: cupti),
// for topologies/kernels/cupti/. Then, for every ordered pair of plans at batch 1, the
// first alone and beside the second (which infers without pause on its own stream):
// the measured slowdown μ = T̃/T − 1, T the sum of an inference's kernel durations as
// in the traces, to set beside what the occupancy model predicts from the traces
// (`troupe roomie-drop A.csv B.csv`). DRAM traffic is not in CUPTI's activity records:
// dram_bytes is written as 0 and the header says so.
// Usage: kernel_tracer OUT_DIR REPEATS PLAN...
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <cupti.h>

#include "gpu/ops/cuda/cuda_check.hpp"
#include "gpu/runner/detail/cuda_network.hpp"

using namespace troupe::gpu;
using namespace troupe::gpu::detail;

namespace {

#define TROUPE_CUPTI_CHECK(call)                                                          \
  do {                                                                                    \
    CUptiResult troupe_status_ = (call);                                                  \
    if (troupe_status_ != CUPTI_SUCCESS) {                                                \
      const char* text = nullptr;                                                         \
      cuptiGetResultString(troupe_status_, &text);                                        \
      throw cuda_error(std::string(#call) + ": " + (text ? text : "CUPTI error"));        \
    }                                                                                     \
  } while (0)

struct kernel_record {
  std::string name;
  int grid[3], block[3], regs, static_smem, dynamic_smem;
  uint64_t start, end;
  uint32_t stream;
};

std::mutex records_mutex;
std::vector<kernel_record> records;

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *size = 8 << 20;
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, *size));
  *max_records = 0;
}

size_t dropped = 0;

void CUPTIAPI buffer_completed(CUcontext context, uint32_t stream, uint8_t* buffer, size_t, size_t valid) {
  size_t lost = 0;
  if (cuptiActivityGetNumDroppedRecords(context, stream, &lost) == CUPTI_SUCCESS)
    dropped += lost;
  CUpti_Activity* record = nullptr;
  std::lock_guard<std::mutex> lock(records_mutex);
  while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) {
    if (record->kind != CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL)
      continue;
    auto* k = reinterpret_cast<CUpti_ActivityKernel10*>(record);
    records.push_back({k->name ? k->name : "?",
                       {k->gridX, k->gridY, k->gridZ},
                       {k->blockX, k->blockY, k->blockZ},
                       int(k->registersPerThread),
                       k->staticSharedMemory,
                       k->dynamicSharedMemory,
                       k->start,
                       k->end,
                       k->streamId});
  }
  std::free(buffer);
}

struct frames {
  std::vector<std::vector<uint8_t>> bytes;
  std::vector<image_view> views;
  std::vector<placement> placements;
};

// `count` 1280×720 frames of noise, placed in the plan's input.
frames make_frames(const detector_plan& plan, int count) {
  frames f;
  uint32_t state = 12345;
  for (int i = 0; i < count; ++i) {
    std::vector<uint8_t> b(1280 * 720 * 3);
    for (auto& v : b)
      v = uint8_t((state = state * 1664525u + 1013904223u) >> 24);
    f.bytes.push_back(std::move(b));
  }
  float scale = std::min(plan.input / 1280.f, plan.input / 720.f);
  placement p{plan.input, 0, 0, int(std::lround(1280 * scale)), int(std::lround(720 * scale))};
  p.pad_x = (plan.input - p.scaled_width) / 2;
  p.pad_y = (plan.input - p.scaled_height) / 2;
  for (auto& b : f.bytes)
    f.views.push_back({b.data(), 1280, 720, 1280 * 3, 3}), f.placements.push_back(p);
  return f;
}

std::string arch_name() {
  cudaDeviceProp p{};
  int device = 0;
  TROUPE_CUDA_CHECK(cudaGetDevice(&device));
  TROUPE_CUDA_CHECK(cudaGetDeviceProperties(&p, device));
  return "sm_" + std::to_string(p.major) + std::to_string(p.minor);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// The plan's name without its "-i<input>" (the trace file adds it back).
std::string model_of(const detector_plan& plan) {
  auto suffix = "-i" + std::to_string(plan.input);
  auto& n = plan.name;
  return n.size() > suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0
             ? n.substr(0, n.size() - suffix.size())
             : n;
}

// Device memory one more network of this plan takes at this batch (weights,
// activations, workspace, its library handles), measured once the libraries are loaded.
double memory_mb(const detector_plan& plan, const frames& f, std::vector<float>& rows) {
  auto warm = upload_network(plan);  // loads cuDNN's and cuBLAS's modules
  infer_on_device(*warm, f.views, f.placements, rows.data());
  size_t free_before = 0, free_after = 0, total = 0;
  TROUPE_CUDA_CHECK(cudaDeviceSynchronize());
  TROUPE_CUDA_CHECK(cudaMemGetInfo(&free_before, &total));
  auto net = upload_network(plan);
  infer_on_device(*net, f.views, f.placements, rows.data());
  TROUPE_CUDA_CHECK(cudaDeviceSynchronize());
  TROUPE_CUDA_CHECK(cudaMemGetInfo(&free_after, &total));
  return free_before > free_after ? double(free_before - free_after) / (1 << 20) : 0;
}

void trace(const detector_plan& plan, int batch, int repeats, const std::string& out_dir) {
  auto f = make_frames(plan, batch);
  std::vector<float> rows(size_t(batch) * plan.grid() * plan.grid() * plan.columns());
  double mem_mb = memory_mb(plan, f, rows);
  auto net = upload_network(plan);
  for (int w = 0; w < 3; ++w)
    infer_on_device(*net, f.views, f.placements, rows.data());
  records.clear();
  dropped = 0;
  TROUPE_CUPTI_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  for (int r = 0; r < repeats; ++r)
    infer_on_device(*net, f.views, f.placements, rows.data());
  TROUPE_CUDA_CHECK(cudaDeviceSynchronize());
  TROUPE_CUPTI_CHECK(cuptiActivityFlushAll(1));
  TROUPE_CUPTI_CHECK(cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  std::sort(records.begin(), records.end(), [](auto& a, auto& b) { return a.start < b.start; });
  if (dropped)
    throw std::runtime_error(plan.name + ": CUPTI dropped " + std::to_string(dropped) + " kernel records");
  if (records.empty() || records.size() % repeats != 0)
    throw std::runtime_error(plan.name + ": " + std::to_string(records.size()) + " kernels in " +
                             std::to_string(repeats) + " inferences: not the same number each time");
  size_t per_run = records.size() / repeats;
  for (size_t i = 0; i < records.size(); ++i)
    if (records[i].name != records[i % per_run].name)
      throw std::runtime_error(plan.name + ": the inferences did not run the same kernels");
  auto dir = out_dir + "/" + arch_name();
  std::filesystem::create_directories(dir);
  auto file = dir + "/" + model_of(plan) + "-i" + std::to_string(plan.input) + "-b" + std::to_string(batch) + ".csv";
  std::ofstream out(file);
  out << "# model: " << model_of(plan) << "\n# input: " << plan.input << "\n# batch: " << batch << "\n# arch: "
      << arch_name() << "\n# source: cupti\n# mem_mb: " << mem_mb
      << "\n# assumptions: measured by CUPTI kernel activity on the CUDA runner (cuDNN 9 convolutions, cuBLAS "
         "head, Troupe's letterbox/bias/decode kernels) with the plan's weights, median of "
      << repeats << " inferences; dram_bytes not measured (0)\n";
  out << "name,grid_x,grid_y,grid_z,block_x,block_y,block_z,regs,static_smem,dynamic_smem,duration_us,dram_bytes\n";
  double total_us = 0;
  for (size_t k = 0; k < per_run; ++k) {
    std::vector<double> us;
    for (int r = 0; r < repeats; ++r)
      us.push_back((records[r * per_run + k].end - records[r * per_run + k].start) / 1000.0);
    auto& first = records[k];
    auto name = first.name;
    std::replace(name.begin(), name.end(), ',', ';');  // the format's rule for commas in names
    double d = median(us);
    total_us += d;
    out << name << ',' << first.grid[0] << ',' << first.grid[1] << ',' << first.grid[2] << ',' << first.block[0] << ','
        << first.block[1] << ',' << first.block[2] << ',' << first.regs << ',' << first.static_smem << ','
        << first.dynamic_smem << ',' << d << ",0\n";
  }
  std::printf("trace %s: %zu kernels, T = %.1f us, %.0f MB -> %s\n", plan.name.c_str(), per_run, total_us, mem_mb,
              file.c_str());
}

// T of one inference of `measured` (the sum of its kernels' CUPTI durations, as the
// traces' T), mean over `repeats`, with `partner` (if any) inferring without pause on
// its own stream from before the first to after the last.
double kernel_time_us(device_network& measured, const detector_plan& plan, device_network* partner,
                      const detector_plan* partner_plan, int repeats) {
  auto f = make_frames(plan, 1);
  std::vector<float> rows(size_t(plan.grid()) * plan.grid() * plan.columns());
  std::atomic<bool> stop{false};
  std::thread busy;
  if (partner)
    busy = std::thread([&] {
      auto g = make_frames(*partner_plan, 1);
      std::vector<float> other(size_t(partner_plan->grid()) * partner_plan->grid() * partner_plan->columns());
      while (!stop)
        infer_on_device(*partner, g.views, g.placements, other.data());
    });
  for (int w = 0; w < 3; ++w)
    infer_on_device(measured, f.views, f.placements, rows.data());
  records.clear();
  dropped = 0;
  uint32_t stream_id = 0;
  TROUPE_CUPTI_CHECK(cuptiGetStreamIdEx(nullptr, stream_of(measured), 0, &stream_id));
  TROUPE_CUPTI_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  for (int r = 0; r < repeats; ++r)
    infer_on_device(measured, f.views, f.placements, rows.data());
  stop = true;
  if (busy.joinable())
    busy.join();
  TROUPE_CUDA_CHECK(cudaDeviceSynchronize());
  TROUPE_CUPTI_CHECK(cuptiActivityFlushAll(1));
  TROUPE_CUPTI_CHECK(cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  if (dropped)
    throw std::runtime_error("CUPTI dropped " + std::to_string(dropped) + " kernel records");
  double us = 0;
  for (auto& k : records)
    if (k.stream == stream_id)
      us += (k.end - k.start) / 1000.0;
  return us / repeats;
}

void co_runs(const std::vector<detector_plan>& plans, int repeats) {
  std::printf("co-runs at batch 1, each on its own stream, the other inferring without pause; T = the sum of an\n"
              "inference's kernel durations (CUPTI), mean of %d:\n", repeats);
  std::printf("  %-18s %-18s %12s %12s %8s\n", "measured", "beside", "T alone us", "T beside us", "mu");
  for (size_t i = 0; i < plans.size(); ++i)
    for (size_t j = 0; j < plans.size(); ++j) {
      if (i == j)
        continue;
      auto measured = upload_network(plans[i]), partner = upload_network(plans[j]);
      double alone = kernel_time_us(*measured, plans[i], nullptr, nullptr, repeats);
      double beside = kernel_time_us(*measured, plans[i], partner.get(), &plans[j], repeats);
      std::printf("  %-18s %-18s %12.1f %12.1f %8.3f\n", plans[i].name.c_str(), plans[j].name.c_str(), alone, beside,
                  beside / alone - 1);
    }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4 || std::atoi(argv[2]) < 1) {
    std::fprintf(stderr, "usage: kernel_tracer OUT_DIR REPEATS PLAN...\n");
    return 2;
  }
  std::string out_dir = argv[1];
  int repeats = std::atoi(argv[2]);
  try {
    std::string why;
    if (cuda_devices(why) == 0) {
      std::fprintf(stderr, "kernel_tracer: %s\n", why.c_str());
      return 1;
    }
    std::vector<detector_plan> plans;
    for (int i = 3; i < argc; ++i)
      plans.push_back(load_plan(argv[i]));
    TROUPE_CUPTI_CHECK(cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed));
    for (auto& plan : plans)
      for (int batch : {1, 8})
        trace(plan, batch, repeats, out_dir);
    co_runs(plans, repeats);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kernel_tracer: %s\n", e.what());
    return 1;
  }
}
