// The computing half of a model replica: worker threads that take batches of regions
// from one bounded queue, run the detector (each worker its own instance), pace
// completion to a device profile when one is given (the emulated clock; the workers
// share the device's units, or the device's GPU they are seated on with the replicas
// beside them), and send each region's detections to its reply_to. The replica actor
// feeds it and publishes its statistics.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "actors/common/batch_queue.hpp"
#include "actors/common/item_ledger.hpp"
#include "actors/common/replica_metrics.hpp"
#include "actors/runtime/context.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/emulation/shared_gpu.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/detection_cache.hpp"
#include "vision/detector.hpp"

namespace troupe {

// Where on its device's GPUs a replica runs, and as what.
struct gpu_placement {
  int index = 0;
  std::string trace;  // its kernels: <traces>/<trace>-b<batch>.csv; default the model's name
  int priority = 0;   // under share: priority, lower runs first
};

struct replica_settings {
  std::string model = "hog";
  vision::detector_options options;
  int64_t max_age_ms = 1000;       // older regions are dropped
  int64_t stats_interval_ms = 1000;
  size_t queue_capacity = 16;
  overflow_policy overflow = overflow_policy::drop_oldest;  // stale frames matter least
  size_t max_batch = 1;
  int64_t max_wait_ms = 5;         // a partial batch waits this long for company
  size_t workers = 1;              // threads taking batches from the queue (REACT's num_workers)
  std::optional<device_profile> device;  // set: completion paced to its timing of `model`
  std::optional<gpu_placement> gpu;      // set: paced on the device's shared GPU instead
  std::string profile_file;              // where `device` came from
  std::string cache_dir;                 // set: detections cached on disk by source view and model
};

struct queued_region {
  letter in;
  int64_t arrived_ns = 0;  // deployment time
};

class replica_worker {
 public:
  replica_worker(context ctx, replica_settings cfg);
  ~replica_worker();  // closes the queue, finishes queued work, joins
  // Closes the queue and returns once the work queued before is done; offers after it
  // are dropped (counted as queue full).
  void finish();

  // From the replica actor: queue a region (may wait under the block policy).
  void offer(letter in);
  // Statistics since the last call (percentiles) and since the start (counters).
  msg::ReplicaStats take_stats();
  // Its part of the item books; `final` once finish() has returned.
  msg::ItemBooks books(bool final) const { return items_.report(final); }
  // Its GPU's, when it is seated on one and their turn has come (every interval, one seat).
  std::optional<msg::GpuStats> take_gpu_stats();

 private:
  // The interval's busy ratio and energy into the metrics, from the stats just taken.
  void report_metrics(const msg::ReplicaStats& s, int64_t now_ns);
  using batch = std::vector<batch_queue<queued_region>::entry>;
  struct task {
    queued_region* item;
    const msg::Region* region;
    std::vector<vision::detection> found;
  };
  using steady = std::chrono::steady_clock;
  void run(size_t worker);
  void compute(size_t worker, batch& items);
  uint64_t detect(size_t worker, std::vector<task>& tasks);
  vision::cache_key key_of(const msg::Region& r) const;
  vision::detector& detector_for(size_t worker, const std::string& camera);
  bool stale(const msg::Region& r, int64_t now_ns) const;
  void pace(steady::time_point started, int64_t start_ns, const std::vector<task>& tasks,
            std::optional<size_t> on_gpu);
  // The GPU's end of inference `id` that started at `start_ns`: its busy time added.
  void wait_on_gpu(size_t id, int64_t start_ns, double& busy_ms, bool& overrun);
  // When the device finishes `tasks` that start at `start_ms` (deployment time), on
  // the units every worker shares; adds the time the device newly became busy to busy_ms.
  double schedule_on_device(double start_ms, const std::vector<task>& tasks, double& busy_ms);
  // Under device_mtx_: the part of [start, done] the device was not yet busy for.
  double newly_busy_ms(double start_ms, double done_ms);

  context ctx_;
  replica_settings cfg_;
  std::string model_name_;  // the detector's own: a model file's name without extension
  std::unique_ptr<vision::detection_cache> cache_;
  std::string cache_model_;  // the model's name and the settings that change its boxes
  batch_queue<queued_region> queue_;
  int64_t started_ns_;
  // Per worker: one detector for all cameras, or one per camera for those that learn a scene.
  std::vector<std::map<std::string, std::unique_ptr<vision::detector>>> detectors_;
  std::mutex device_mtx_;
  std::optional<device_units> units_;
  double device_busy_until_ms_ = 0;
  std::unique_ptr<gpu_seat> gpu_;
  std::vector<double> gpu_drops_;  // this interval's (T̃ − T)/T
  std::mutex stats_mtx_;
  msg::ReplicaStats stats_;
  std::vector<double> queue_ms_, compute_ms_, total_ms_;
  uint64_t batched_items_ = 0;
  item_ledger items_;
  std::optional<replica_metrics> metrics_;  // made once the model's name is known
  double reported_busy_ms_ = 0, reported_energy_j_ = 0;  // at the last take_stats
  int64_t reported_ns_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace troupe
