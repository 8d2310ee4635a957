// GPUs emulated for model replicas (thesis §4.4.2): the replicas seated on one node's
// device and GPU index share one gpu_timeline, so a batch ends when the reference
// simulation of its kernels against every inference in flight beside it says, redone
// at each start and end. Timing only: a replica still computes its answer on the CPU
// and waits for the emulated end; an answer later than that is an overrun, as with
// device profiles.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "gpu/model/co_run.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

class shared_gpu {
 public:
  // GPU `index` of `device` on `node`: its arch, share policy and memory.
  shared_gpu(const std::string& node, const device_profile& device, int index, int64_t epoch_ns);

  // Holds memory for a seated replica's model; false (and holds nothing) when it does not fit.
  bool seat(double memory_mb);
  void unseat(double memory_mb);
  double free_mb();

  // An inference of `kernels` starting at `now_ns` (deployment time); its ticket.
  // `kernels` must outlive wait().
  size_t begin(const std::vector<gpu::kernel_cost>* kernels, int64_t now_ns, int priority);
  struct ended {
    int64_t at_ns = 0;     // deployment time
    double work_us = 0;    // standalone: T of its kernels
    bool late = false;     // ended before the wait began: the real compute overran it
  };
  // Blocks until inference `id` has ended in deployment time, waking at each start and end.
  ended wait(size_t id, const clock& time);

  // Its statistics when none were taken in the last `interval_ns`, else nothing: the
  // seated replicas take turns at publishing them.
  std::optional<msg::GpuStats> report_due(int64_t now_ns, int64_t interval_ns);

  const gpu::gpu_arch& arch() const { return arch_; }
  const std::string& where() const { return where_; }  // node/device/index

 private:
  double at_us(int64_t ns) const { return double(ns - epoch_ns_) / 1e3; }
  void advance(int64_t now_ns);  // under the lock; wakes the waiters when something ended

  std::string where_;
  gpu::gpu_arch arch_;
  std::mutex mtx_;
  std::condition_variable changed_;
  gpu::gpu_timeline timeline_;
  int64_t epoch_ns_;
  std::unordered_map<size_t, gpu::gpu_timeline::finished> ended_;  // not yet collected
  double next_end_us_ = -1;  // the prediction, -1 when a start or end made it stale
  msg::GpuStats stats_;
  int64_t reported_ns_ = 0;
  double reported_busy_us_ = 0;
};

// A replica's seat on a shared GPU: its model's memory held there and its kernels for
// each batch size it computes, from traces `<traces>/<trace>-b<batch>.csv`; a batch
// with no trace of its own runs the largest traced batch that fits what is left,
// repeated (one of the smallest when none fits).
class gpu_seat {
 public:
  // Throws std::runtime_error naming the file, folder or GPU: no trace of `trace`, a
  // trace of another arch, an index not below the device's count, no room.
  gpu_seat(const std::string& node, const device_profile& device, int index, const std::string& trace,
           int priority, size_t max_batch, int64_t now_ns);
  ~gpu_seat();
  gpu_seat(const gpu_seat&) = delete;
  gpu_seat& operator=(const gpu_seat&) = delete;

  size_t begin(size_t batch, int64_t now_ns);
  shared_gpu::ended wait(size_t id, const clock& time) { return gpu_->wait(id, time); }
  shared_gpu& gpu() { return *gpu_; }
  double memory_mb() const { return memory_mb_; }

 private:
  std::shared_ptr<shared_gpu> gpu_;
  std::vector<std::vector<gpu::kernel_cost>> by_size_;  // [batch size − 1]
  double memory_mb_ = 0;
  int priority_;
};

}  // namespace troupe
