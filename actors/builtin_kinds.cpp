#include "actors/builtin_kinds.hpp"

#include "actors/camera.hpp"
#include "actors/detection_sink.hpp"
#include "actors/detector_replica.hpp"
#include "actors/function_replica.hpp"
#include "actors/pipeline_camera.hpp"
#include "actors/pipeline_sink.hpp"
#include "actors/react_camera.hpp"
#include "actors/region_camera.hpp"
#include "actors/region_scheduler.hpp"

namespace troupe {

const kind_registry& builtin_kinds() {
  static const kind_registry registry = [] {
    kind_registry r;
    r.add(camera_kind());
    r.add(detector_replica_kind());
    r.add(detection_sink_kind());
    r.add(region_camera_kind());
    r.add(region_scheduler_kind());
    r.add(function_replica_kind());
    r.add(pipeline_camera_kind());
    r.add(pipeline_sink_kind());
    r.add(react_camera_kind());
    register_file_maker(R"(detector-([nsm])\.pt$)", "build/cli/troupe train-detector --size $1 -o {}");
    register_file_maker(R"(forecaster[^/]*\.txt$)", "scripts/train-forecaster.sh");
    return r;
  }();
  return registry;
}

}  // namespace troupe
