// What a region-aware camera does with its frames, apart from the messaging (the
// region_camera actor does that): ReMO's Region Generator — Detect Trigger on fixed
// regions, PPA padding — with detection-based tracking between detections, the
// first frame of every slot to the edge server, the plan from the Region Scheduler,
// ABN over boxes from regions, sources and tracking, and the slot reports (demands,
// drift φ, latency, bytes per area) the scheduler decides from. Mode "ehci" replaces
// the Region Generator and tracking by the EHCI-style baseline: padded previous boxes
// to the server.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/video/tracking.hpp>

#include "actors/runtime/bus/refusal.hpp"
#include "actors/remo/core/plan.hpp"
#include "actors/runtime/choice.hpp"
#include "actors/remo/core/regions.hpp"
#include "actors/remo/core/trigger.hpp"
#include "troupe/messages/remo.pb.h"
#include "troupe/messages/vision.pb.h"
#include "vision/box_tracker.hpp"
#include "vision/frame_source.hpp"

namespace troupe {

// How a region camera detects: ReMO's detect-by-tracking over regions (and the
// scheduled baselines); Offload-Frame's (remo.txt, VII.A: "omits frame partitioning and
// directly applies the same scheduling algorithm to offload entire frames"), which
// detects the whole frame whenever any region's trigger fires and is scheduled as one
// region; or EHCI's padded previous boxes sent to the server.
enum class camera_mode { dbt, whole_frame, ehci };
const choice<camera_mode>& camera_modes();

struct region_pipeline_settings {
  camera_mode mode = camera_mode::dbt;
  std::vector<cv::Rect> regions;        // view pixels; empty: the whole frame is one region
  int frames_per_slot = 10;             // F
  remo::trigger_settings trigger;
  remo::padding_settings padding;
  double abn_overlap = 0.6;
  std::string tracker = "flow";
  double drift = 0.9;                   // φ until observed
  double drift_beta = 0.3;              // smoothing of observed φ
  double ehci_padding = 0.2;            // EHCI: share of a box's size added on each side
  int64_t result_timeout_ms = 2000;     // a frame waits this long for its regions' results
  std::string own_detector, server_detector;
  double accuracy = 0, fixed_s = 0, s_per_megapixel = 0;  // a_i and s_{i,M} for the scheduler
};

// A part of a frame to detect: where, by whom, and its region number (1-based; 0 for
// the whole frame or an EHCI ROI).
struct region_job {
  cv::Rect area;
  std::string detector;
  uint32_t region = 0;
};

// A frame's boxes, once every region sent for it answered (or timed out).
struct frame_output {
  uint64_t frame = 0;
  int64_t capture_ns = 0;
  std::vector<vision::detection> boxes;
  uint64_t bytes = 0;  // JPEG bytes sent for it
  bool detected = false;  // a detector's result is in `boxes` (else tracking alone made them)
  uint32_t results = 0;   // the regions' results fused in: the books' items it closes
};

struct pipeline_counters {
  uint64_t frames = 0, whole_frames = 0, regions_local = 0, regions_offloaded = 0, rois = 0;
  uint64_t unsent = 0, late = 0;  // jobs the bus refused; frames output before all results came
  uint64_t results_after_output = 0;  // results that came for a frame already output
  uint64_t outputs_unsent = 0, reports_unsent = 0;  // refused by the bus (the actor counts them)
};

// [x, y, w, h, x, y, w, h, ...] as rectangles; throws std::runtime_error when the
// list is not whole rectangles.
std::vector<cv::Rect> regions_from_list(const std::vector<int64_t>& flat);
// Throws std::runtime_error naming the first region that is empty or not inside `frame`.
void check_regions(const std::vector<cv::Rect>& regions, cv::Size frame);

class region_pipeline {
 public:
  region_pipeline(const std::string& camera, region_pipeline_settings settings);

  struct step {
    std::vector<region_job> jobs;
    std::optional<msg::remo::SlotReport> report;  // set on a slot's first frame: the last slot's
  };
  // A new frame, taken `dt_s` after the previous one.
  step on_frame(const vision::source_frame& frame, double dt_s);
  // After the jobs of on_frame were sent: those the bus took, their bytes, and how
  // many it refused. A frame with nothing in flight is output at once.
  std::optional<frame_output> dispatched(uint64_t frame, int64_t capture_ns, const std::vector<region_job>& sent,
                                         uint64_t bytes, int refused);
  std::optional<frame_output> on_result(const msg::Detections& d);
  std::vector<frame_output> expire(int64_t now_ns);  // frames past result_timeout_ms
  // Follows a plan from the scheduler, or says why it is implausible: a slot beyond the
  // next, a frame or region the camera does not have, no detector, a negative q(t).
  // A plan older than the one followed is ignored (it crossed a newer one on the bus).
  std::optional<refusal> on_plan(const msg::remo::SlotPlan& plan);

  double drift() const { return drift_; }
  bool waiting() const { return !pending_.empty(); }  // frames still waiting for results
  bool awaits(uint64_t frame) const { return pending_.count(frame) != 0; }  // else a result for it is late
  uint64_t held_results() const;  // results in of frames still waiting for the rest
  const pipeline_counters& counters() const { return counters_; }
  pipeline_counters& counters() { return counters_; }
  std::vector<std::string> detectors() const;  // the ones it sends to without a plan

 private:
  struct pending {
    int64_t capture_ns = 0;
    std::vector<vision::detection> tracked;  // at this frame
    std::vector<uint32_t> answered;          // regions (wire numbers) whose results came
    std::vector<vision::detection> found;
    int outstanding = 0;
    uint64_t bytes = 0;
  };
  std::vector<size_t> regions_of(uint32_t wire) const;  // 0: every region
  cv::Rect area_of(uint32_t wire) const;                // 0: the whole frame
  void start(const vision::source_frame& frame);
  std::vector<region_job> dbt_jobs(const cv::Mat& grey, int f, double dt_s);
  std::vector<region_job> whole_frame_job(const std::vector<bool>& fire, int f);
  std::vector<region_job> ehci_jobs(int f);
  std::string target_of(int f, int region) const;
  msg::remo::SlotReport report(uint64_t slot);
  void observe_drift(const pending& p, const msg::Detections& d, const std::vector<vision::detection>& found);
  frame_output finish(uint64_t frame, pending p);

  std::string camera_;
  region_pipeline_settings cfg_;
  std::vector<cv::Rect> regions_, padded_;
  cv::Size size_;
  std::unique_ptr<remo::detect_trigger> trigger_;
  cv::Ptr<cv::DISOpticalFlow> flow_;
  cv::Mat previous_grey_, last_image_;
  std::unique_ptr<vision::box_tracker> tracker_;
  std::vector<vision::detection> current_;  // boxes on the latest frame
  std::map<uint64_t, pending> pending_;
  std::vector<uint64_t> last_detected_;     // per region, the newest frame it was detected in
  std::vector<uint64_t> applied_;           // per region, the frame of the detection tracking restarted from
  double drift_;
  // The plan: (frame, region) → index into plan_targets_.
  remo::camera_plan plan_;
  std::vector<std::string> plan_targets_;
  uint64_t plan_slot_ = 0;
  uint64_t slot_ = 0;  // of the latest frame
  double delay_queue_s_ = 0;  // q(t) from the last plan: raises the trigger's Q
  // The slot being observed.
  std::vector<msg::remo::RegionDemand> demands_;
  std::vector<double> latency_s_;  // the own replica's turnaround per region (ELF balances on it)
  double sent_megabytes_ = 0, sent_megapixels_ = 0;
  pipeline_counters counters_;
};

}  // namespace troupe
