#include "actors/common/sink_metrics.hpp"

namespace troupe {

sink_metrics::sink_metrics(metrics::registry& r, std::string sink, double slo_ms)
    : registry_(r), sink_(std::move(sink)), slo_s_(slo_ms / 1e3) {}

sink_metrics::camera_series& sink_metrics::of(const std::string& camera) {
  auto it = cameras_.find(camera);
  if (it != cameras_.end())
    return it->second;
  metrics::labels l = {{"camera", camera}, {"sink", sink_}};
  camera_series s{
      &registry_.histogram_for("troupe_camera_latency_seconds", "End-to-end latency of a camera's results, capture to sink",
                               l, metrics::latency_buckets()),
      &registry_.counter_for("troupe_camera_results_total", "Results of a camera that reached the sink", l),
      &registry_.counter_for("troupe_camera_slo_misses_total", "Results slower than the sink's latency objective", l)};
  return cameras_.emplace(camera, s).first->second;
}

void sink_metrics::result(const std::string& camera, double latency_s) {
  auto& s = of(camera);
  s.latency->observe(latency_s);
  s.results->add();
  if (slo_s_ > 0 && latency_s > slo_s_)
    s.slo_misses->add();
}

void sink_metrics::pace(const msg::CameraPace& p) {
  metrics::labels l = {{"camera", p.camera()}};
  if (p.window_s() > 0)
    registry_.gauge_for("troupe_camera_fps", "Frames a camera took per second over its latest window", l)
        .set(double(p.frames()) / p.window_s());
  registry_.gauge_for("troupe_camera_target_fps", "The frame rate a camera is set to keep", l).set(p.target_fps());
}

}  // namespace troupe
