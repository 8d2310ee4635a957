#include "actors/builtin_kinds.hpp"

#include "actors/camera.hpp"
#include "actors/detection_sink.hpp"
#include "actors/detector_replica.hpp"
#include "learning/torchscript_detector.hpp"

namespace troupe {

const kind_registry& builtin_kinds() {
  static const kind_registry registry = [] {
    learning::register_torchscript_models();  // detectors may be TorchScript files
    kind_registry r;
    r.add(camera_kind());
    r.add(detector_replica_kind());
    r.add(detection_sink_kind());
    return r;
  }();
  return registry;
}

}  // namespace troupe
