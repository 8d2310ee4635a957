// kernel_tracer: measured kernel traces of the detector runner, and how two runners
// slow each other, on the GPU at hand. For each plan (troupe export-plan) and batch
// size, the runner's inference is repeated under CUPTI's kernel activity tracing; each
// kernel's duration is the median over the repeats and the trace is written as
// OUT/<arch>/<model>-i<input>-b<batch>.csv in Troupe's trace format (source: cupti),
// for topologies/kernels/cupti/. Then, for every pair of plans at batch 1, each alone
// and both at once on their own streams: the measured slowdown μ = T̃/T − 1 per model,
// to set beside what the occupancy model predicts from the traces
// (`troupe roomie-drop A.csv B.csv`). DRAM traffic is not in CUPTI's activity records:
// dram_bytes is written as 0 and the header says so.
// Usage: kernel_tracer OUT_DIR REPEATS PLAN...
#include <algorithm>
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
};

std::mutex records_mutex;
std::vector<kernel_record> records;

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *size = 8 << 20;
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, *size));
  *max_records = 0;
}

void CUPTIAPI buffer_completed(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid) {
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
                       k->end});
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

void trace(const detector_plan& plan, int batch, int repeats, const std::string& out_dir) {
  size_t free_before = 0, free_after = 0, total = 0;
  TROUPE_CUDA_CHECK(cudaDeviceSynchronize());
  TROUPE_CUDA_CHECK(cudaMemGetInfo(&free_before, &total));
  auto net = upload_network(plan);
  auto f = make_frames(plan, batch);
  std::vector<float> rows(size_t(batch) * plan.grid() * plan.grid() * plan.columns());
  for (int w = 0; w < 3; ++w)
    infer_on_device(*net, f.views, f.placements, rows.data());
  TROUPE_CUDA_CHECK(cudaMemGetInfo(&free_after, &total));
  records.clear();
  TROUPE_CUPTI_CHECK(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  for (int r = 0; r < repeats; ++r)
    infer_on_device(*net, f.views, f.placements, rows.data());
  TROUPE_CUDA_CHECK(cudaDeviceSynchronize());
  TROUPE_CUPTI_CHECK(cuptiActivityFlushAll(1));
  TROUPE_CUPTI_CHECK(cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL));
  std::sort(records.begin(), records.end(), [](auto& a, auto& b) { return a.start < b.start; });
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
      << arch_name() << "\n# source: cupti\n# mem_mb: " << double(free_before - free_after) / (1 << 20)
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
  std::printf("trace %s: %zu kernels, T = %.1f us, %.0f MB -> %s\n", plan.name.c_str(), per_run, total_us,
              double(free_before - free_after) / (1 << 20), file.c_str());
}

// Median device time of one inference, each network on its own stream; both at once
// when `together`.
std::vector<double> inference_ms(const std::vector<std::shared_ptr<device_network>>& nets,
                                 const std::vector<detector_plan>& plans, int repeats) {
  std::vector<double> result(nets.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < nets.size(); ++i)
    threads.emplace_back([&, i] {
      auto f = make_frames(plans[i], 1);
      std::vector<float> rows(size_t(plans[i].grid()) * plans[i].grid() * plans[i].columns());
      std::vector<double> ms;
      for (int r = 0; r < repeats; ++r) {
        device_times t;
        infer_on_device(*nets[i], f.views, f.placements, rows.data(), &t);
        ms.push_back(t.kernel_ms);
      }
      result[i] = median(ms);
    });
  for (auto& t : threads)
    t.join();
  return result;
}

void co_runs(const std::vector<detector_plan>& plans, int repeats) {
  std::printf("co-runs at batch 1, each on its own stream, medians of %d inferences (device time, letterbox to decode):\n",
              repeats);
  std::printf("  %-18s %-18s %10s %10s %10s %10s %8s %8s\n", "A", "B", "A alone", "B alone", "A with B", "B with A",
              "mu A", "mu B");
  for (size_t i = 0; i < plans.size(); ++i)
    for (size_t j = i + 1; j < plans.size(); ++j) {
      std::vector<std::shared_ptr<device_network>> nets = {upload_network(plans[i]), upload_network(plans[j])};
      auto a = inference_ms({nets[0]}, {plans[i]}, repeats)[0];
      auto b = inference_ms({nets[1]}, {plans[j]}, repeats)[0];
      auto both = inference_ms(nets, {plans[i], plans[j]}, repeats);
      std::printf("  %-18s %-18s %10.3f %10.3f %10.3f %10.3f %8.3f %8.3f\n", plans[i].name.c_str(),
                  plans[j].name.c_str(), a, b, both[0], both[1], both[0] / a - 1, both[1] / b - 1);
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
