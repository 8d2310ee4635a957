#include "actors/videojam/function_worker.hpp"

#include <spdlog/spdlog.h>

#include "actors/runtime/thread_nice.hpp"

namespace troupe {

using steady = std::chrono::steady_clock;

function_worker::function_worker(context ctx, std::unique_ptr<pipeline_function> function, size_t capacity,
                                 std::optional<device_profile> device, emit_fn emit)
    : ctx_(std::move(ctx)), function_(std::move(function)), device_(std::move(device)), emit_(std::move(emit)),
      queue_(capacity, overflow_policy::drop_newest), metrics_(ctx_.metrics(), ctx_.name(), function_->model()) {
  metrics_.parallel.set(1);
  if (device_ && device_->find(function_->model()) == nullptr)
    throw std::runtime_error("device '" + device_->name + "' has no timing for '" + function_->model() + "'");
  if (!device_ && function_->emulated())
    throw std::runtime_error("an emulated function needs `device` and `profile`: it has no work of its own");
  thread_ = std::thread([this] { run(); });
}

void function_worker::stop() {
  queue_.close();
  if (thread_.joinable())
    thread_.join();
}

bool function_worker::offer(msg::WorkItem item) {
  metrics_.requests.add();
  bool kept = !queue_.push(std::move(item)).has_value();
  metrics_.queue_length.set(double(queue_.size()));
  if (!kept)
    metrics_.dropped("queue full");
  return kept;
}

std::optional<double> function_worker::ms_per_object() const {
  if (!device_ || !function_->emulated())
    return std::nullopt;
  msg::WorkItem one;
  one.set_objects(1);
  return device_->inference_ms(function_->model(), function_->work_px(one));
}

worker_counters function_worker::counters() {
  std::lock_guard<std::mutex> lock(mtx_);
  return counters_;
}

void function_worker::run() {
  nicer_this_thread(ctx_.worker_nice());  // work, like CAF's threads: behind liveness and NATS I/O
  for (;;) {
    auto batch = queue_.pop_batch(1, std::chrono::nanoseconds(0));
    if (batch.empty())
      return;
    auto& item = batch.front().item;
    auto started = steady::now();
    metrics_.queue_length.set(double(queue_.size()));
    metrics_.queue_seconds.observe(deployment_s(started - batch.front().arrived));
    std::vector<msg::WorkItem> out;
    try {
      out = function_->run(item);
    } catch (const std::exception& e) {
      spdlog::warn("function {}: {}", ctx_.name(), e.what());
      {
        std::lock_guard<std::mutex> lock(mtx_);
        ++counters_.failed;
      }
      metrics_.dropped("failed");
      emit_(item, std::nullopt);
      continue;
    }
    double busy_ms = pace(started, item);
    metrics_.busy_seconds.add(busy_ms / 1e3);
    metrics_.batch_done(1, busy_ms / 1e3);
    emit_(item, std::move(out));
  }
}

double function_worker::deployment_s(steady::duration wall) const {
  return std::chrono::duration<double>(wall).count() /
         std::chrono::duration<double>(ctx_.wall(std::chrono::seconds(1))).count();
}

double function_worker::pace(steady::time_point started, const msg::WorkItem& item) {
  double busy_ms = deployment_s(steady::now() - started) * 1e3;
  bool overrun = false;
  if (device_) {
    busy_ms = *device_->inference_ms(function_->model(), function_->work_px(item));
    auto due = started + ctx_.wall(std::chrono::microseconds(int64_t(busy_ms * 1e3)));
    overrun = steady::now() > due;
    std::this_thread::sleep_until(due);
  }
  std::lock_guard<std::mutex> lock(mtx_);
  ++counters_.processed;
  counters_.objects += item.objects();
  counters_.busy_ms += busy_ms;
  counters_.overruns += overrun ? 1 : 0;
  // Recent items weigh most: μ follows a replica whose inputs or device change.
  counters_.service_ms = counters_.processed == 1 ? busy_ms : 0.9 * counters_.service_ms + 0.1 * busy_ms;
  return busy_ms;
}

}  // namespace troupe
