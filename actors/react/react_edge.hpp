// REACT's edge manager (react.txt, §3.1–3.4) as plain C++, driven by the react-camera
// actor and tested without one. Per frame: the change detector measures motion; every
// k-th frame goes to the edge detector and every m-th to the cloud, each only when the
// scene moved; between detections the main tracker carries the current objects and
// decays their confidence. Detections that come back for an older frame are carried
// to the present by fast-tracking over the buffered frames, then fused (Algorithm 1).
#pragma once

#include "actors/runtime/choice.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/react/core/fast_track.hpp"
#include "actors/react/core/fusion.hpp"
#include "vision/box_tracker.hpp"
#include "vision/motion_gauge.hpp"

namespace troupe {

// What runs: REACT, or one of the paper's baselines (§5.4) on the same camera.
enum class react_mode {
  react,             // edge every k, cloud every m, fused
  edge_only,         // edge every k, tracker between
  cloud_only,        // cloud every m, fast-tracked, tracker between
  every_frame_edge,  // edge on every frame, no tracker
};
react_mode react_mode_of(const std::string& name);  // throws std::runtime_error for others
const char* name_of(react_mode m);

// When tracked objects' confidence decays: on every frame, as §3.1 prints it ("the
// confidence scores reduce with every passing frame"), or only while the scene moves
// (a still scene cannot make tracking drift, and asks for no detection to restore it).
enum class decay_rule { every_frame, while_moving };
const choice<decay_rule>& decay_rules();

struct react_settings {
  react_mode mode = react_mode::react;
  decay_rule decay_on = decay_rule::every_frame;
  int edge_every = 5;                // k (§6.1's setting)
  int cloud_every = 30;              // m
  double motion_threshold = 1.5;     // 99th-percentile flow, px/frame: above sensor noise (≤ 1.2 measured); the paper gives no value
  double motion_scale = 0.25;        // the change detector's flow resolution
  double motion_percentile = 99;     // which percentile of the flow magnitudes is the motion
  react::fusion_settings fusion;     // IoU threshold 0.5, δ
  double min_score = 0.5;            // the main tracker drops objects below it (§3.1)
  std::string tracker = "csrt";      // the paper's, for the main tracker and fast-tracking
  int fast_track_stride = 2;         // every alternate frame (§3.3)
  bool fast_tracking = true;         // false: a late result is fused where the objects are now (no catch-up)
  size_t buffer_frames = 150;        // frames kept for fast-tracking
};

struct react_frame_plan {
  bool to_edge = false, to_cloud = false;
  double motion = 0;
};

// Work for the fast tracker: boxes detected on frame `origin`, already carried to
// frames.front(), to carry to frames.back().
struct catch_up_job {
  react::source from = react::source::cloud;
  uint64_t origin = 0;
  std::vector<react::buffered_frame> frames;
  std::vector<vision::detection> boxes;
  int stride = 2;
  std::string tracker;
};

struct catch_up_result {
  react::source from = react::source::cloud;
  uint64_t origin = 0;                // the frame the boxes were detected on
  uint64_t started = 0, reached = 0;  // frame indices of this catch-up
  std::vector<vision::detection> boxes;
  bool failed = false;                // the tracker threw: nothing to fuse
};

// Runs a job (react_fast_tracker does it in its own actor); a tracker error is a
// failed result, not an exception.
catch_up_result run_catch_up(const catch_up_job& job);

// Throws std::runtime_error naming the first setting that cannot work.
void check(const react_settings& s);

struct react_counters {
  uint64_t frames = 0;
  uint64_t edge_requests = 0, cloud_requests = 0;
  uint64_t still_skips = 0;           // a k-th or m-th frame not sent: the scene did not move
  uint64_t edge_fusions = 0, cloud_fusions = 0;
  uint64_t catch_ups = 0, caught_up_frames = 0;
  uint64_t fell_behind = 0;           // catch-ups that lost ground on new frames: dropped, never fused off the present
  uint64_t too_old = 0;               // results for frames no longer buffered: dropped
  uint64_t not_taken = 0;             // results for a frame not taken yet: implausible, dropped
  uint64_t superseded = 0;            // results older than one of the same source already fused: dropped
  uint64_t tracker_failures = 0;      // tracker errors (main or fast): the objects kept or the result dropped
  double cloud_age_frames = 0;        // sum over cloud fusions of how old the detected frame was
};

// What became of one result handed to the manager (on_detections, or a finished
// catch-up to on_caught_up): fused into the objects the next output carries, dropped
// with its cause (counted in react_counters too), or still chasing in the catch-up
// `next`, for the caller to run. The camera's item books end each result so (issue 20).
enum class result_fate { fused, dropped, chasing };
struct result_outcome {
  result_fate fate = result_fate::fused;
  std::string cause;                 // when dropped
  std::optional<catch_up_job> next;  // when chasing
};

class react_edge {
 public:
  explicit react_edge(react_settings settings);

  // A new frame: the current objects tracked onto it; which detectors it goes to.
  react_frame_plan on_frame(uint64_t index, const cv::Mat& image);
  // Detections of frame `index` from `from`: fused at once when it is the newest frame
  // (or there is no tracker), otherwise chasing in the catch-up that brings them to the
  // present; dropped when the frame has left the buffer (too_old) or was never taken
  // (not_taken: fused, its index would supersede every real result after it).
  result_outcome on_detections(react::source from, uint64_t index, std::vector<vision::detection> boxes);
  // A finished catch-up: fused when it reached the newest frame; when newer frames came
  // meanwhile, chasing again from where it got, as long as it is not losing ground
  // and its frame is still buffered, else dropped (fell_behind). Results older than
  // what the same source already had fused are dropped (superseded): they would
  // replace newer objects with older ones.
  result_outcome on_caught_up(const catch_up_result& done);

  // Whether results for frame `index` can be real: a frame taken already.
  bool taken(uint64_t index) const { return !buffer_.empty() && index <= newest(); }

  std::vector<vision::detection> output() const;  // the current objects
  const std::vector<react::object>& objects() const { return objects_; }
  const react_counters& counters() const { return counters_; }
  const react_settings& settings() const { return s_; }

 private:
  bool tracking() const { return s_.mode != react_mode::every_frame_edge; }
  void track(const cv::Mat& image, bool moving);
  bool superseded(react::source from, uint64_t origin) const;
  result_outcome chase(react::source from, uint64_t origin, uint64_t index, std::vector<vision::detection> boxes);
  result_outcome fuse_now(react::source from, uint64_t origin, const std::vector<vision::detection>& boxes);
  // Counts a dropped result in `counter` and says why.
  result_outcome dropped(uint64_t react_counters::*counter, const char* cause);
  uint64_t newest() const { return buffer_.back().index; }

  react_settings s_;
  std::unique_ptr<vision::box_tracker> tracker_;
  vision::motion_gauge motion_;
  std::deque<react::buffered_frame> buffer_;
  std::vector<react::object> objects_;
  react_counters counters_;
  int next_id_ = 0;
  std::optional<uint64_t> fused_origin_[2];  // per source, the newest detected frame fused
};

}  // namespace troupe
