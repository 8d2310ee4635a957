// What every camera kind shares: where its frames come from (file, folder, stream or
// synthetic scene, with crop, pan, offset and loop), its frame rate, the name that
// keys detection caches, and ground truth — exact for synthetic scenes, an oracle
// model's boxes for real video — sent to the sink that scores the run.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <caf/timespan.hpp>

#include "actors/common/core/crowd.hpp"
#include "actors/runtime/context.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/params.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/detection_cache.hpp"
#include "vision/detector.hpp"
#include "vision/frame_source.hpp"

namespace troupe {

// Ground truth for real video, as the papers make it: the strongest model on the
// camera's full-resolution view, cached so repeated runs do not pay for it again.
struct camera_oracle {
  std::unique_ptr<vision::detector> model;
  std::string model_key;  // its file's identity: a retrained oracle does not read old truth
  std::unique_ptr<vision::detection_cache> cache;
  double min_score = 0.5;

  std::vector<vision::detection> truth(const vision::source_frame& f, const std::string& identity,
                                       uint64_t source_frame);
};

// A crowd's view (actors/common/core/crowd.hpp): frames of a nominal size that carry
// the count of objects in view and no pixels.
struct camera_crowd {
  std::shared_ptr<const crowd_config> crowd;
  size_t camera = 0;
  cv::Size frame{1280, 720};
};

struct camera_source {
  vision::source_settings source;
  std::optional<camera_crowd> crowd;  // set: `source: crowd`, not `source`
  std::string identity;  // names the source for detection caches; empty for live streams
  double fps = 10;
  std::string sink;
  bool truth_to_sink = true;  // a pipeline's sink scores no boxes: it is not sent GroundTruth
  int64_t max_frames = 0;
  int jpeg_quality = 90;
  int64_t wait_for_detector_ms = 10000;
  int64_t start_after_ms = 0;  // the first frame no earlier than this after the camera starts
  std::shared_ptr<camera_oracle> oracle;  // null: synthetic truth or none

  // Whether to hold the first frame: it is earlier than start_after_ms since `since_ns`,
  // or the replicas it sends to are not up yet (still loading their models, frames
  // sent now would be refused) and it has waited less than wait_for_detector_ms.
  bool hold_first_frame(const context& ctx, uint64_t sent, bool replicas_up, int64_t since_ns) const {
    auto waited = ctx.now_ns() - since_ns;
    return sent == 0 && (waited < start_after_ms * 1'000'000 || (!replicas_up && waited < wait_for_detector_ms * 1'000'000));
  }
  // Deployment time left until the next frame is due, this one taken at `taken_ns`.
  caf::timespan until_next_frame(const context& ctx, int64_t taken_ns) const;
  // The frames: the crowd's, or the video's or scene's. Throws like open_frame_source.
  std::unique_ptr<vision::frame_source> open() const;
  // The next frame with its truth filled in (sent to the sink), or nullopt at the end
  // of the source or after max_frames.
  std::optional<vision::source_frame> next(vision::frame_source& frames, const context& ctx, uint64_t sent) const;
  // The JPEG of `image` (a frame or a part of one at `at`) as a Region for `reply_to`.
  msg::Region region(const context& ctx, const vision::source_frame& frame, const cv::Rect& at,
                     int64_t capture_ns, const std::string& reply_to) const;
};

// Counts the frames a camera takes and, once a window of deployment time has passed,
// says how many against its frame rate, for the sink to flag a camera that is behind.
class pace_meter {
 public:
  explicit pace_meter(double window_s = 1) : window_ns_(int64_t(window_s * 1e9)) {}
  // The CameraPace to send when this frame closes a window; nullopt otherwise.
  std::optional<msg::CameraPace> frame_taken(const std::string& camera, double fps, int64_t now_ns);

 private:
  int64_t window_ns_;
  int64_t window_start_ns_ = -1;
  uint64_t frames_ = 0;
};

// The parameters above, for a kind's declaration; `source` and `sink` are required.
std::vector<param_spec> camera_source_params();
// Reads them; throws std::runtime_error for values that cannot work. Loads the oracle.
// `crowd_camera`: the camera's name in a crowd (`source: crowd`), given only by kinds
// whose frames need no pixels; the others refuse a crowd.
camera_source read_camera_source(const params& p, const std::string& crowd_camera = {});

}  // namespace troupe
