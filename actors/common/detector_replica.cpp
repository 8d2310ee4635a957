#include "actors/common/detector_replica.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/choice.hpp"
#include "actors/runtime/emulation/device_profile.hpp"
#include "actors/runtime/node.hpp"
#include "actors/common/replica_worker.hpp"

namespace troupe {

namespace {

// Feeds the worker, drops regions that are already too old, publishes statistics.
// Detached: under the block policy a full queue holds this actor's own thread, and
// regions wait in its mailbox.
caf::behavior detector_replica(caf::event_based_actor* self, context ctx,
                               std::shared_ptr<replica_worker> worker, int64_t stats_interval_ms) {
  auto interval = std::chrono::milliseconds(stats_interval_ms);
  ctx.after(self, interval, tick_atom::value);
  // Asked to stop, it finishes its queued work first, then tells the sink and the log
  // the same final figures, and only then exits: the run's drain waits for its exit.
  self->set_exit_handler([=](caf::exit_msg& m) {
    worker->finish();
    auto s = worker->take_stats();
    ctx.publish("replica-stats", s);
    ctx.publish("item-books", worker->books(true));
    if (auto g = worker->take_gpu_stats())
      ctx.publish("gpu-stats", *g);
    spdlog::info("replica {}: {} regions in {} batches, dropped {} (queue full) {} (stale) {} (failed), {} overruns",
                 ctx.name(), s.processed(), s.batches(), s.dropped_full(), s.dropped_stale(), s.dropped_failed(),
                 s.overruns());
    self->quit(m.reason);
  });
  return {
    [=](const letter& in) {
      if (in.as<msg::Region>() != nullptr)
        worker->offer(in);
    },
    [=](tick_atom) {
      ctx.publish("replica-stats", worker->take_stats());
      ctx.publish("item-books", worker->books(false));
      if (auto g = worker->take_gpu_stats())
        ctx.publish("gpu-stats", *g);
      ctx.after(self, interval, tick_atom::value);
    },
  };
}

replica_settings read_settings(const params& p) {
  replica_settings s;
  s.model = p.get_string("model", s.model);
  auto& o = s.options;
  o.cascade_dir = p.get_string("cascade_dir", o.cascade_dir);
  o.hog.hit_threshold = p.get_double("hit_threshold", o.hog.hit_threshold);
  o.hog.win_stride = static_cast<int>(p.get_int("win_stride", o.hog.win_stride));
  o.hog.scale_step = p.get_double("scale_step", o.hog.scale_step);
  o.hog.min_score = p.get_double("min_score", o.hog.min_score);
  o.network.min_score = float(p.get_double("min_score", o.network.min_score));
  o.network.nms_iou = float(p.get_double("nms_iou", o.network.nms_iou));
  o.network.frame_width = int(p.get_int("frame_width", o.network.frame_width));
  static const choice<vision::network_backend> backends(
      "backend", {{"cpu", vision::network_backend::cpu}, {"cuda", vision::network_backend::cuda}});
  o.network.backend = backends.parse(p.get_string("backend", "cpu"));
  s.max_age_ms = p.get_int("max_age_ms", s.max_age_ms);
  s.stats_interval_ms = p.get_int("stats_interval_ms", s.stats_interval_ms);
  auto capacity = p.get_int("queue_capacity", int64_t(s.queue_capacity));
  auto max_batch = p.get_int("max_batch", int64_t(s.max_batch));
  if (capacity < 1 || max_batch < 1)
    throw std::runtime_error("queue_capacity and max_batch must be at least 1");
  s.queue_capacity = size_t(capacity);
  s.max_batch = size_t(max_batch);
  s.max_wait_ms = p.get_int("max_wait_ms", s.max_wait_ms);
  auto workers = p.get_int("workers", int64_t(s.workers));
  if (workers < 1)
    throw std::runtime_error("workers must be at least 1");
  s.workers = size_t(workers);
  auto policy = p.get_string("overflow", to_string(s.overflow));
  auto parsed = parse_overflow_policy(policy);
  if (!parsed)
    throw std::runtime_error("overflow '" + policy + "' is not drop_oldest, drop_newest or block");
  s.overflow = *parsed;
  s.profile_file = p.get_string("profile");
  s.cache_dir = p.get_string("cache");
  if (p.has("device"))
    s.device = load_device(p.get_string("profile"), p.get_string("device"));
  if (p.has("gpu"))
    s.gpu = gpu_placement{int(p.get_int("gpu", 0)), p.get_string("trace"), int(p.get_int("gpu_priority", 0))};
  return s;
}

}  // namespace

std::unique_ptr<vision::detector> replica_detector(const params& p) {
  auto s = read_settings(p);
  return vision::make_detector(s.model, s.options);
}

kind_spec detector_replica_kind() {
  return {
    "detector",
    "object detector replica: bounded queue, dynamic batching, optional device pacing",
    {
      {"model", param_type::path, false, "hog, mog2, haar-fullbody, haar-upperbody, haar-face or a model file (*.pt); default hog"},
      {"cascade_dir", param_type::path, false, "where the Haar cascades are, default /usr/share/opencv4/haarcascades"},
      in_range({"max_age_ms", param_type::integer, false, "drop regions older than this, default 1000"}, 0, 3600000),
      in_range({"queue_capacity", param_type::integer, false, "regions waiting at most, default 16"}, 1, 1000000),
      {"overflow", param_type::string, false, "full queue: drop_oldest (default), drop_newest or block"},
      in_range({"max_batch", param_type::integer, false, "regions computed together at most, default 1"}, 1, 4096),
      in_range({"max_wait_ms", param_type::integer, false, "a partial batch waits this long for more, default 5"}, 0, 3600000),
      in_range({"workers", param_type::integer, false, "threads computing batches from the one queue, each with its own model; default 1"}, 1, 1024),
      {"device", param_type::string, false, "emulated device: completion paced to its profile"},
      {"cache", param_type::string, false, "folder of the detection cache (by source, frame, crop, model); default none"},
      {"profile", param_type::path, false, "device profile file (YAML) that holds `device`"},
      in_range({"gpu", param_type::integer, false, "the device's emulated GPU it shares with the replicas seated there (0, 1, …); needs a device with gpu"}, 0, 64),
      {"trace", param_type::string, false, "gpu: its kernel traces <trace>-b<batch>.csv in the device's traces folder; default the model's name"},
      in_range({"gpu_priority", param_type::integer, false, "gpu under share: priority: lower runs first, default 0"}, 0, 1000000),
      in_range({"hit_threshold", param_type::number, false, "HOG SVM threshold, default 0"}, -100, 100),
      in_range({"win_stride", param_type::integer, false, "HOG window stride in pixels, default 8"}, 1, 1024),
      in_range({"scale_step", param_type::number, false, "HOG pyramid scale step, default 1.05"}, 1.001, 10),
      in_range({"min_score", param_type::number, false, "drop weaker boxes, default 0.3 (HOG), 0.25 (networks)"}, 0, 1),
      in_range({"nms_iou", param_type::number, false, "networks: overlap that suppresses the weaker box, default 0.45"}, 0, 1),
      in_range({"frame_width", param_type::integer, false, "networks: regions come from frames this wide and are scaled as those; default 0 (each fills the input)"}, 0, 16384),
      {"backend", param_type::string, false, "networks: cpu (default) or cuda (Troupe's GPU runner for its own detectors; the CPU, said once, without a device)"},
      in_range({"stats_interval_ms", param_type::integer, false, "replica-stats period, default 1000"}, 1, 3600000),
    },
    [](node& n, context ctx, const params& p) {
      auto cfg = read_settings(p);
      auto worker = std::make_shared<replica_worker>(ctx, cfg);  // a model that cannot load fails here
      return n.system().spawn<caf::detached>(detector_replica, std::move(ctx), std::move(worker),
                                             cfg.stats_interval_ms);
    },
    stop_stage::server,
    [](const YAML::Node& p) {
      auto problems = check_device_params(p);
      if (p["gpu"] && !p["device"])
        problems.push_back({p["gpu"].Mark(), "gpu needs a device (and its profile) with a gpu"});
      if (auto model = p["model"]) {
        vision::detector_options o;
        if (auto dir = p["cascade_dir"])
          o.cascade_dir = dir.Scalar();
        if (auto why = vision::model_problem(model.Scalar(), o); !why.empty())
          problems.push_back({model.Mark(), why});
      }
      return problems;
    },
  };
}

}  // namespace troupe
