#include "actors/runtime/emulation/shared_gpu.hpp"

#include <cmath>
#include <filesystem>
#include <regex>
#include <stdexcept>

#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"

namespace troupe {

namespace {

const gpu_spec& spec_of(const device_profile& d) {
  if (!d.gpu)
    throw std::runtime_error("device '" + d.name + "' has no gpu in its profile");
  return *d.gpu;
}

}  // namespace

shared_gpu::shared_gpu(const std::string& node, const device_profile& device, int index, int64_t epoch_ns)
    : where_(node + "/" + device.name + "/" + std::to_string(index)),
      arch_(gpu::find_arch(gpu::load_gpu_archs(spec_of(device).arch_limits), spec_of(device).arch)),
      timeline_(arch_, spec_of(device).share),
      epoch_ns_(epoch_ns),
      reported_ns_(epoch_ns) {
  stats_.set_node(node);
  stats_.set_device(device.name);
  stats_.set_index(uint32_t(index));
  stats_.set_arch(arch_.arch);
  stats_.set_memory_mb(device.gpu->memory_gb * 1024);
}

bool shared_gpu::seat(double memory_mb) {
  std::lock_guard<std::mutex> lock(mtx_);
  if (stats_.memory_used_mb() + memory_mb > stats_.memory_mb())
    return false;
  stats_.set_memory_used_mb(stats_.memory_used_mb() + memory_mb);
  stats_.set_replicas(stats_.replicas() + 1);
  return true;
}

double shared_gpu::free_mb() {
  std::lock_guard<std::mutex> lock(mtx_);
  return stats_.memory_mb() - stats_.memory_used_mb();
}

void shared_gpu::unseat(double memory_mb) {
  std::lock_guard<std::mutex> lock(mtx_);
  stats_.set_memory_used_mb(std::max(0.0, stats_.memory_used_mb() - memory_mb));
  stats_.set_replicas(stats_.replicas() - 1);
}

void shared_gpu::advance(int64_t now_ns) {
  auto done = timeline_.advance_to(at_us(now_ns));
  if (done.empty())
    return;
  for (auto& f : done)
    ended_.emplace(f.id, f);
  next_end_us_ = -1;
  changed_.notify_all();
}

size_t shared_gpu::begin(const std::vector<gpu::kernel_cost>* kernels, int64_t now_ns, int priority) {
  std::lock_guard<std::mutex> lock(mtx_);
  advance(now_ns);
  auto id = timeline_.start({kernels, 0, timeline_.now_us(), false, priority});
  stats_.set_inferences(stats_.inferences() + 1);
  next_end_us_ = -1;
  changed_.notify_all();  // the others in flight now end later
  return id;
}

shared_gpu::ended shared_gpu::wait(size_t id, const clock& time) {
  std::unique_lock<std::mutex> lock(mtx_);
  for (bool first = true;; first = false) {
    auto now_ns = time.now_ns();
    advance(now_ns);
    if (auto it = ended_.find(id); it != ended_.end()) {
      ended e{epoch_ns_ + int64_t(it->second.at_us * 1e3), it->second.work_us, first};
      ended_.erase(it);
      return e;
    }
    if (next_end_us_ < 0)
      next_end_us_ = timeline_.next_finish_us();  // once per start or end, whoever waits
    auto ahead_ns = int64_t((next_end_us_ - at_us(now_ns)) * 1e3) + 1;
    changed_.wait_for(lock, time.to_wall(std::chrono::nanoseconds(std::max<int64_t>(1, ahead_ns))));
  }
}

std::optional<msg::GpuStats> shared_gpu::report_due(int64_t now_ns, int64_t interval_ns) {
  std::lock_guard<std::mutex> lock(mtx_);
  if (now_ns - reported_ns_ < interval_ns / 2)  // another seat reported this interval
    return std::nullopt;
  advance(now_ns);
  auto busy_us = timeline_.busy_us();
  stats_.set_busy_ms(busy_us / 1e3);
  stats_.set_utilisation((busy_us - reported_busy_us_) / std::max(1.0, (now_ns - reported_ns_) / 1e3));
  stats_.set_in_flight(uint32_t(timeline_.running()));
  reported_ns_ = now_ns;
  reported_busy_us_ = busy_us;
  return stats_;
}

namespace {

// The process's shared GPUs by node/device/index, alive while a replica is seated.
std::shared_ptr<shared_gpu> shared_gpu_of(const std::string& node, const device_profile& d, int index,
                                          int64_t now_ns) {
  static std::mutex mtx;
  static std::map<std::string, std::weak_ptr<shared_gpu>> gpus;
  std::lock_guard<std::mutex> lock(mtx);
  auto& slot = gpus[node + "/" + d.name + "/" + std::to_string(index)];
  auto gpu = slot.lock();
  if (!gpu)
    slot = gpu = std::make_shared<shared_gpu>(node, d, index, now_ns);
  return gpu;
}

// Every `<trace>-b<batch>.csv` in `folder`, by batch.
std::map<int, gpu::kernel_trace> traces_of(const std::string& folder, const std::string& trace) {
  std::map<int, gpu::kernel_trace> out;
  std::regex name(std::regex_replace(trace, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") + R"(-b(\d+)\.csv)");
  std::error_code ec;
  for (auto& entry : std::filesystem::directory_iterator(folder, ec)) {
    std::smatch m;
    auto file = entry.path().filename().string();
    if (std::regex_match(file, m, name))
      out.emplace(std::stoi(m[1]), gpu::read_kernel_trace(entry.path().string()));
  }
  if (out.empty())
    throw std::runtime_error(folder + ": no kernel trace " + trace + "-b<batch>.csv (troupe derive-traces writes them)");
  return out;
}

}  // namespace

gpu_seat::gpu_seat(const std::string& node, const device_profile& device, int index, const std::string& trace,
                   int priority, size_t max_batch, int64_t now_ns)
    : priority_(priority) {
  auto& spec = spec_of(device);
  if (index < 0 || index >= spec.count)
    throw std::runtime_error("gpu " + std::to_string(index) + ": device '" + device.name + "' has " +
                             std::to_string(spec.count) + " (0 to " + std::to_string(spec.count - 1) + ")");
  gpu_ = shared_gpu_of(node, device, index, now_ns);
  std::map<int, std::vector<gpu::kernel_cost>> costs;
  for (auto& [batch, t] : traces_of(spec.traces, trace)) {
    if (t.arch != gpu_->arch().arch)
      throw std::runtime_error(t.file + ": a trace of " + t.arch + ", the GPU is " + gpu_->arch().arch);
    costs.emplace(batch, gpu::costs_of(t, gpu_->arch()));
    if (size_t(batch) <= max_batch || memory_mb_ == 0)
      memory_mb_ = t.mem_mb;  // the largest batch it will run
  }
  for (size_t size = 1; size <= max_batch; ++size) {
    auto& kernels = by_size_.emplace_back();
    for (size_t left = size; left > 0;) {
      auto fits = costs.upper_bound(int(left));
      auto pick = fits == costs.begin() ? costs.begin() : std::prev(fits);
      kernels.insert(kernels.end(), pick->second.begin(), pick->second.end());
      left -= std::min(left, size_t(pick->first));
    }
  }
  if (!gpu_->seat(memory_mb_))
    throw std::runtime_error("gpu " + gpu_->where() + " has " + std::to_string(std::lround(gpu_->free_mb())) +
                             " MB free of " + std::to_string(std::lround(spec.memory_gb * 1024)) + ", " + trace +
                             " needs " + std::to_string(std::lround(memory_mb_)) + " MB");
}

gpu_seat::~gpu_seat() {
  gpu_->unseat(memory_mb_);
}

size_t gpu_seat::begin(size_t batch, int64_t now_ns) {
  auto& kernels = by_size_.at(std::min(batch, by_size_.size()) - 1);
  return gpu_->begin(&kernels, now_ns, priority_);
}

}  // namespace troupe
