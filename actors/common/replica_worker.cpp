#include "actors/common/replica_worker.hpp"

#include <numeric>

#include <spdlog/spdlog.h>

#include "actors/runtime/thread_nice.hpp"
#include "vision/jpeg_codec.hpp"
#include "vision/object_class.hpp"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

void add_box(msg::Detections& out, const vision::detection& d, const msg::Region& region) {
  auto* b = out.add_boxes();
  b->set_x(d.box.x + region.x());  // frame coordinates, not region ones
  b->set_y(d.box.y + region.y());
  b->set_width(d.box.width);
  b->set_height(d.box.height);
  b->set_label(vision::class_name(d.label));
  b->set_score(d.score);
}

}  // namespace

replica_worker::replica_worker(context ctx, replica_settings cfg)
    : ctx_(std::move(ctx)), cfg_(std::move(cfg)), queue_(cfg_.queue_capacity, cfg_.overflow),
      started_ns_(ctx_.now_ns()), items_(ctx_.name(), &ctx_.metrics()) {
  stats_.set_replica(ctx_.name());
  if (cfg_.device)
    stats_.set_device(cfg_.device->name);
  if (cfg_.workers < 1)
    throw std::runtime_error("a replica needs at least one worker");
  detectors_.resize(cfg_.workers);
  auto& model = detector_for(0, "");  // a model that cannot load fails at spawn, not at the first region
  model_name_ = model.model();
  metrics_.emplace(ctx_.metrics(), ctx_.name(), model_name_);
  metrics_->parallel.set(cfg_.device ? 1 : double(cfg_.workers));
  reported_ns_ = started_ns_;
  if (model.per_camera() && cfg_.workers > 1)
    throw std::runtime_error(model_name_ + " learns from each camera's frame sequence: one worker only");
  for (size_t w = 1; w < cfg_.workers; ++w)
    detector_for(w, "");
  if (!cfg_.cache_dir.empty()) {
    if (model.per_camera())
      spdlog::warn("replica {}: no detection cache for {}: it learns from each camera's frame sequence",
                   ctx_.name(), model_name_);
    else
      cache_ = std::make_unique<vision::detection_cache>(cfg_.cache_dir);
    auto& o = cfg_.options;  // everything that changes the boxes belongs to the model's key
    cache_model_ = vision::file_identity(cfg_.model) + ":hog=" + std::to_string(o.hog.hit_threshold) + "," +
                   std::to_string(o.hog.win_stride) + "," + std::to_string(o.hog.scale_step) + "," +
                   std::to_string(o.hog.min_score) + ":net=" + std::to_string(o.network.min_score) + "," +
                   std::to_string(o.network.nms_iou) + "," + std::to_string(o.network.frame_width);
  }
  if (cfg_.gpu) {
    if (!cfg_.device || !cfg_.device->gpu)
      throw std::runtime_error("gpu " + std::to_string(cfg_.gpu->index) + ": the replica's device has no gpu in " +
                               (cfg_.profile_file.empty() ? std::string("its profile") : cfg_.profile_file));
    auto& g = *cfg_.gpu;
    gpu_ = std::make_unique<gpu_seat>(ctx_.node_name(), *cfg_.device, g.index, g.trace.empty() ? model_name_ : g.trace,
                                      g.priority, cfg_.max_batch, ctx_.now_ns());
    stats_.set_gpu(gpu_->gpu().where());
  } else if (cfg_.device && cfg_.device->find(model_name_) == nullptr)
    throw std::runtime_error(cfg_.profile_file + ": device '" + cfg_.device->name +
                             "' has no timing for model '" + model_name_ + "'");
  if (cfg_.device)
    units_.emplace(cfg_.device->concurrency);
  for (size_t w = 0; w < cfg_.workers; ++w)
    threads_.emplace_back([this, w] { run(w); });
}

replica_worker::~replica_worker() {
  finish();
}

void replica_worker::finish() {
  queue_.close();
  for (auto& t : threads_)
    if (t.joinable())
      t.join();
}

void replica_worker::offer(letter in) {
  metrics_->requests.add();
  auto dropped = queue_.push({std::move(in), ctx_.now_ns()});
  metrics_->queue_length.set(double(queue_.size()));
  if (!dropped)
    return;
  auto cause = queue_.closed() ? "replica stopped" : "queue full";
  items_.dropped(dropped->in.as<msg::Region>()->camera(), cause);
  metrics_->dropped(cause);
  std::lock_guard<std::mutex> lock(stats_mtx_);
  stats_.set_dropped_full(stats_.dropped_full() + 1);
}

msg::ReplicaStats replica_worker::take_stats() {
  std::lock_guard<std::mutex> lock(stats_mtx_);
  auto out = stats_;
  out.set_queue_p50_ms(vision::percentile(queue_ms_, 50));
  out.set_compute_p50_ms(vision::percentile(compute_ms_, 50));
  out.set_total_p50_ms(vision::percentile(total_ms_, 50));
  out.set_mean_batch(out.batches() > 0 ? double(batched_items_) / out.batches() : 0);
  out.set_queue_length(static_cast<uint32_t>(queue_.size()));
  if (cache_) {
    out.set_cache_hits(cache_->hits());
    out.set_cache_misses(cache_->misses());
  }
  out.set_gpu_drop_mean(gpu_drops_.empty() ? 0 : std::accumulate(gpu_drops_.begin(), gpu_drops_.end(), 0.0) /
                                                        double(gpu_drops_.size()));
  gpu_drops_.clear();
  out.set_parallel(cfg_.device ? 1 : uint32_t(cfg_.workers));
  auto now = ctx_.now_ns();
  if (cfg_.device)
    out.set_energy_j(cfg_.device->energy_j(out.busy_ms() / 1e3, (now - started_ns_) / 1e9));
  report_metrics(out, now);
  queue_ms_.clear();
  compute_ms_.clear();
  total_ms_.clear();
  return out;
}

void replica_worker::report_metrics(const msg::ReplicaStats& s, int64_t now_ns) {
  auto& m = *metrics_;
  m.energy_joules.add(s.energy_j() - reported_energy_j_);
  double interval_ms = (now_ns - reported_ns_) / 1e6;
  if (interval_ms > 0)
    m.busy_ratio.set((s.busy_ms() - reported_busy_ms_) / (interval_ms * s.parallel()));
  m.queue_length.set(s.queue_length());
  reported_energy_j_ = s.energy_j();
  reported_busy_ms_ = s.busy_ms();
  reported_ns_ = now_ns;
}

std::optional<msg::GpuStats> replica_worker::take_gpu_stats() {
  if (!gpu_)
    return std::nullopt;
  return gpu_->gpu().report_due(ctx_.now_ns(), cfg_.stats_interval_ms * 1'000'000);
}

void replica_worker::run(size_t worker) {
  nicer_this_thread(ctx_.worker_nice());  // work, like CAF's threads: behind liveness and NATS I/O
  auto max_wait = ctx_.wall(std::chrono::milliseconds(cfg_.max_wait_ms));
  for (;;) {
    auto items = queue_.pop_batch(cfg_.max_batch, max_wait);
    if (items.empty())
      return;
    metrics_->queue_length.set(double(queue_.size()));
    compute(worker, items);
  }
}

bool replica_worker::stale(const msg::Region& r, int64_t now_ns) const {
  return now_ns - r.capture_time_unix_ns() > cfg_.max_age_ms * 1'000'000;
}

void replica_worker::compute(size_t worker, batch& items) {
  auto started = steady::now();
  auto start_ns = ctx_.now_ns();
  std::vector<task> done, uncached;  // uncached: the cache had no answer
  uint64_t stale_count = 0;
  for (auto& e : items) {
    task t{&e.item, e.item.in.as<msg::Region>(), {}};
    if (stale(*t.region, start_ns)) {  // it may have aged while queued
      ++stale_count;
      items_.dropped(t.region->camera(), "stale");
      continue;
    }
    auto cached = cache_ && t.region->has_view() ? cache_->find(key_of(*t.region)) : std::nullopt;
    if (cached) {
      t.found = std::move(*cached);
      done.push_back(std::move(t));
    } else {
      uncached.push_back(std::move(t));
    }
  }
  std::optional<size_t> on_gpu;  // the GPU is asked for the whole batch, failures or not
  if (gpu_ && done.size() + uncached.size() > 0)
    on_gpu = gpu_->begin(done.size() + uncached.size(), start_ns);
  uint64_t failed = detect(worker, uncached);
  for (auto& t : uncached)
    done.push_back(std::move(t));
  if (!done.empty() || on_gpu)
    pace(started, start_ns, done, on_gpu);
  auto end_ns = ctx_.now_ns();
  if (stale_count > 0)
    metrics_->dropped("stale", stale_count);
  if (failed > 0)
    metrics_->dropped("failed", failed);
  if (!done.empty())
    metrics_->batch_done(done.size(), (end_ns - start_ns) / 1e9);
  std::lock_guard<std::mutex> lock(stats_mtx_);
  stats_.set_dropped_stale(stats_.dropped_stale() + stale_count);
  stats_.set_dropped_failed(stats_.dropped_failed() + failed);
  if (done.empty())
    return;
  stats_.set_batches(stats_.batches() + 1);
  stats_.set_processed(stats_.processed() + done.size());
  batched_items_ += done.size();
  for (auto& t : done) {
    msg::Detections out;
    out.set_camera(t.region->camera());
    out.set_frame_index(t.region->frame_index());
    out.set_capture_time_unix_ns(t.region->capture_time_unix_ns());
    out.set_model(model_name_);
    out.set_replica(ctx_.name());
    out.set_region_bytes(t.region->jpeg().size());
    out.set_region(t.region->region());
    for (auto& d : t.found)
      add_box(out, d, *t.region);
    out.set_queue_us((start_ns - t.item->arrived_ns) / 1000);
    out.set_compute_us((end_ns - start_ns) / 1000);
    out.set_total_us((end_ns - t.item->arrived_ns) / 1000);
    out.set_batch_size(static_cast<uint32_t>(done.size()));
    metrics_->queue_seconds.observe(out.queue_us() / 1e6);
    queue_ms_.push_back(out.queue_us() / 1e3);
    compute_ms_.push_back(out.compute_us() / 1e3);
    total_ms_.push_back(out.total_us() / 1e3);
    items_.handed_on(t.region->camera(), t.region->reply_to(), ctx_.send(t.region->reply_to(), std::move(out), &t.item->in));
  }
}

// Decodes and detects `tasks` (together when the model allows), stores the results in
// the cache, and removes the tasks that failed; returns how many did.
uint64_t replica_worker::detect(size_t worker, std::vector<task>& tasks) {
  std::vector<task> decoded;
  std::vector<cv::Mat> images;
  for (auto& t : tasks) {
    try {
      images.push_back(vision::decode_jpeg(t.region->jpeg()));
      decoded.push_back(std::move(t));
    } catch (const std::exception& ex) {
      spdlog::warn("replica {}: region from {} dropped: {}", ctx_.name(), t.region->camera(), ex.what());
      items_.dropped(t.region->camera(), "undecodable");
    }
  }
  uint64_t failed = tasks.size() - decoded.size();
  tasks.clear();
  if (decoded.empty())
    return failed;
  try {
    auto& shared = detector_for(worker, "");
    if (shared.per_camera()) {
      for (size_t i = 0; i < decoded.size(); ++i)
        decoded[i].found = detector_for(worker, decoded[i].region->camera()).detect(images[i]);
    } else {
      auto found = shared.detect_batch(images);
      for (size_t i = 0; i < decoded.size(); ++i)
        decoded[i].found = std::move(found[i]);
    }
  } catch (const std::exception& ex) {
    spdlog::warn("replica {}: batch of {} dropped: {}", ctx_.name(), decoded.size(), ex.what());
    for (auto& t : decoded)
      items_.dropped(t.region->camera(), "model failed");
    return failed + decoded.size();
  }
  for (auto& t : decoded)
    if (cache_ && t.region->has_view())
      cache_->store(key_of(*t.region), t.found);
  tasks = std::move(decoded);
  return failed;
}

vision::cache_key replica_worker::key_of(const msg::Region& r) const {
  auto& v = r.view();
  return {v.source(), cv::Rect(v.crop_x(), v.crop_y(), v.crop_width(), v.crop_height()), cache_model_, v.frame()};
}

vision::detector& replica_worker::detector_for(size_t worker, const std::string& camera) {
  auto& mine = detectors_[worker];
  auto& shared = mine[""];
  if (!shared)
    shared = vision::make_detector(cfg_.model, cfg_.options);
  if (camera.empty() || !shared->per_camera())
    return *shared;
  auto& own = mine[camera];
  if (!own)
    own = vision::make_detector(cfg_.model, cfg_.options);
  return *own;
}

// Emulated device: the batch completes when the profile says, in deployment time.
// Real compute that takes longer is an overrun: reported, never hidden by waiting.
void replica_worker::pace(steady::time_point started, int64_t start_ns, const std::vector<task>& tasks,
                          std::optional<size_t> on_gpu) {
  auto real = steady::now() - started;
  double busy_ms = std::chrono::duration<double, std::milli>(real).count() /
                   std::chrono::duration<double>(ctx_.wall(std::chrono::seconds(1))).count();
  bool overrun = false;
  if (on_gpu) {
    wait_on_gpu(*on_gpu, start_ns, busy_ms, overrun);
  } else if (cfg_.device) {
    busy_ms = 0;
    double start_ms = start_ns / 1e6;
    double done_ms = schedule_on_device(start_ms, tasks, busy_ms);
    auto due = started + ctx_.wall(std::chrono::microseconds(int64_t((done_ms - start_ms) * 1e3)));
    overrun = steady::now() > due;
    if (overrun)
      spdlog::debug("replica {}: batch of {} overran its profile", ctx_.name(), tasks.size());
    std::this_thread::sleep_until(due);
  }
  metrics_->busy_seconds.add(busy_ms / 1e3);
  std::lock_guard<std::mutex> lock(stats_mtx_);
  stats_.set_busy_ms(stats_.busy_ms() + busy_ms);
  stats_.set_overruns(stats_.overruns() + (overrun ? 1 : 0));
}

void replica_worker::wait_on_gpu(size_t id, int64_t start_ns, double& busy_ms, bool& overrun) {
  auto end = gpu_->wait(id, ctx_.time());
  overrun = end.late;
  if (overrun)
    spdlog::debug("replica {}: a batch overran its GPU time", ctx_.name());
  double start_ms = start_ns / 1e6, done_ms = end.at_ns / 1e6;
  {
    std::lock_guard<std::mutex> lock(device_mtx_);
    busy_ms = newly_busy_ms(start_ms, done_ms);
  }
  std::lock_guard<std::mutex> lock(stats_mtx_);
  gpu_drops_.push_back((done_ms - start_ms) * 1e3 / end.work_us - 1);  // Eq. 4.6
}

double replica_worker::newly_busy_ms(double start_ms, double done_ms) {
  double busy = std::max(0.0, done_ms - std::max(start_ms, device_busy_until_ms_));  // overlapping batches count once
  device_busy_until_ms_ = std::max(device_busy_until_ms_, done_ms);
  return busy;
}

double replica_worker::schedule_on_device(double start_ms, const std::vector<task>& tasks, double& busy_ms) {
  std::vector<double> input_ms;  // a cached region costs the device what computing it would
  for (auto& t : tasks)
    input_ms.push_back(*cfg_.device->inference_ms(model_name_, double(t.region->width()) * t.region->height()));
  std::lock_guard<std::mutex> lock(device_mtx_);
  double done_ms = units_->schedule(input_ms, start_ms);
  busy_ms += newly_busy_ms(start_ms, done_ms);
  return done_ms;
}

}  // namespace troupe
