// The computing half of a function replica: a bounded queue of work items (full: the
// item is dropped and counted, the paper's loss), a thread that runs the function on
// each, paces it to a device profile when one is given, measures the processing rate
// μ, and hands the outputs to `emit` (which routes them on).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "actors/common/batch_queue.hpp"
#include "actors/common/replica_metrics.hpp"
#include "actors/runtime/context.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/common/pipeline_function.hpp"

namespace troupe {

struct worker_counters {
  uint64_t processed = 0, failed = 0, overruns = 0;  // failed: the function threw (e.g. a broken JPEG)
  uint64_t objects = 0;    // carried by the processed items (emulated crowds)
  double busy_ms = 0;      // deployment time computing
  double service_ms = 0;   // mean deployment time per item, recent items
};

class function_worker {
 public:
  // An item's outputs, or nullopt when the function failed on it.
  using emit_fn = std::function<void(const msg::WorkItem& in, std::optional<std::vector<msg::WorkItem>> out)>;
  function_worker(context ctx, std::unique_ptr<pipeline_function> function, size_t capacity,
                  std::optional<device_profile> device, emit_fn emit);
  ~function_worker() { stop(); }
  // Closes the queue, finishes queued work, joins: every item offered has been emitted.
  void stop();

  // Queues `item`; false when the queue was full and it was dropped.
  bool offer(msg::WorkItem item);
  // Takes up to `n` of the newest queued items back (to offload them); items a balancer
  // already moved stay, so load never travels back and forth.
  std::vector<msg::WorkItem> take_newest(size_t n) {
    return queue_.take_newest(n, [](const msg::WorkItem& w) { return w.offloads() == 0; });
  }
  size_t queue_length() const { return queue_.size(); }
  // The device profile's time for an item of one object (emulated functions on a
  // device): what a replica that has computed nothing yet can tell of its rate.
  std::optional<double> ms_per_object() const;
  worker_counters counters();

 private:
  void run();
  double deployment_s(std::chrono::steady_clock::duration wall) const;  // wall time → deployment seconds
  // Returns the deployment time the item kept the device busy.
  double pace(std::chrono::steady_clock::time_point started, const msg::WorkItem& item);

  context ctx_;
  std::unique_ptr<pipeline_function> function_;
  std::optional<device_profile> device_;
  emit_fn emit_;
  batch_queue<msg::WorkItem> queue_;
  std::mutex mtx_;
  worker_counters counters_;
  replica_metrics metrics_;
  std::thread thread_;
};

}  // namespace troupe
