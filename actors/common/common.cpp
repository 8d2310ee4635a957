#include "actors/common/common.hpp"

#include "actors/common/camera.hpp"
#include "actors/common/detection_sink.hpp"
#include "actors/common/detector_replica.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"

namespace troupe {

void register_common(system_registry& r) {
  r.add(accepting(camera_kind(), {}));
  r.add(accepting(detector_replica_kind(), types_of<msg::Region>()));
  r.add(accepting(detection_sink_kind(), types_of<msg::Detections, msg::GroundTruth, msg::GpuStats, msg::ReplicaStats,
                                                  msg::CameraPace, msg::CameraStats, msg::ItemBooks,
                                                  msg::ActorDown>()));
  r.file_maker(R"(detector-([nsm])\.pt$)", "build/cli/troupe train-detector --size $1 -o {}");
  // A size and an input in pixels, and streets of people, cars and bikes, as
  // scripts/train-models.sh names them (detector-n160, detector-m-street, detector-n160-street).
  r.file_maker(R"(detector-([nsm])([0-9]+)\.pt$)", "build/cli/troupe train-detector --size $1 --input $2 -o {}");
  r.file_maker(R"(detector-([nsm])-street\.pt$)", "build/cli/troupe train-detector --size $1 --classes person car bike -o {}");
  r.file_maker(R"(detector-([nsm])([0-9]+)-street\.pt$)",
               "build/cli/troupe train-detector --size $1 --input $2 --classes person car bike -o {}");
}

}  // namespace troupe
