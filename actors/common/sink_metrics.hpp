// What a sink learns per camera, as Prometheus series (docs/metrics.md): each result's
// end-to-end latency (a histogram, so that any quantile can be asked), results, SLO
// misses, and the frame rate each camera reports keeping. One sink actor, one thread.
#pragma once

#include <map>
#include <string>

#include "actors/runtime/metrics/registry.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

class sink_metrics {
 public:
  // slo_ms: a result slower than this is an SLO miss; 0: no objective, none counted.
  sink_metrics(metrics::registry& r, std::string sink, double slo_ms);

  void result(const std::string& camera, double latency_s);
  void pace(const msg::CameraPace& p);

 private:
  struct camera_series {
    metrics::histogram* latency;
    metrics::counter *results, *slo_misses;
  };
  camera_series& of(const std::string& camera);

  metrics::registry& registry_;
  std::string sink_;
  double slo_s_;
  std::map<std::string, camera_series> cameras_;
};

}  // namespace troupe
