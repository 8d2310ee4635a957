// What a run measured, per camera, per replica (device) and per emulated GPU: frames,
// detections, latency percentiles, the books of their items, SLO misses, accuracy against ground truth (synthetic
// cameras), bytes, drops, overruns, busy time, energy, GPU utilisation and the
// load-balance index. Fed by the
// sink; printed as a table, written as JSON and as PNG plots through gnuplot.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/common/item_books.hpp"
#include "actors/common/overload.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/metrics.hpp"
#include "vision/sample_summary.hpp"

namespace troupe {

// (time s, latency ms) of a camera's frames for the plot, at most `max_points` of
// them: past that every other point goes and then only every second frame is kept,
// and so on, so a long run's plot costs what a short one's does.
class latency_series {
 public:
  explicit latency_series(size_t max_points = 4096) : max_points_(max_points) {}
  void add(double at_s, double latency_ms);
  const std::vector<std::pair<double, double>>& points() const { return points_; }

 private:
  size_t max_points_, stride_ = 1;
  uint64_t frames_ = 0;
  std::vector<std::pair<double, double>> points_;
};

class run_report {
 public:
  // `slot_s` > 0: frames are grouped by capture time into slots of that length, and the
  // system delay of a slot is its slowest frame of any camera (ReMO's eq. 5).
  explicit run_report(double slo_ms, double slot_s = 0) : slo_ms_(slo_ms), slot_s_(slot_s) {}

  void add_truth(const msg::GroundTruth& truth);
  void add_detections(const msg::Detections& d, double latency_ms, double at_s);
  // Cumulative figures of a replica at `at_s`; each report closes a window since the
  // previous one, judged for saturation (actors/common/overload.hpp).
  void add_replica(const msg::ReplicaStats& stats, double at_s);
  // A camera's pace over its last window.
  void add_pace(const msg::CameraPace& pace);

  struct replica_figures {
    msg::ReplicaStats stats;     // the latest
    double at_s = 0;
    replica_load last;           // the latest window
    uint64_t windows = 0, saturated_windows = 0;
    double peak_utilisation = 0;
  };
  const std::map<std::string, replica_figures>& replicas() const { return replicas_; }
  struct pace_figures {
    camera_pace last;
    uint64_t windows = 0, behind_windows = 0, frames = 0;
    double seconds = 0;
  };
  const std::map<std::string, pace_figures>& paces() const { return paces_; }
  // An emulated GPU's cumulative figures (the latest replace the earlier).
  void add_gpu(const msg::GpuStats& stats) {
    gpus_[stats.node() + "/" + stats.device() + "/" + std::to_string(stats.index())] = stats;
  }
  // A camera's own figures (the latest replace the earlier), listed under the camera.
  void add_camera_stats(const msg::CameraStats& stats) { cameras_[stats.camera()].stats = stats; }

  // Each camera's books, closed at the end (item_books.hpp).
  void set_books(std::map<std::string, camera_books> books) { books_ = std::move(books); }

  nlohmann::json to_json(double duration_s) const;
  std::string table(double duration_s) const;
  // PREFIX.json, and PREFIX-latency.png (latency over time per camera) when gnuplot runs;
  // creates the folder. Lists the files that are there and why others are not.
  struct written {
    std::vector<std::string> files, errors;
  };
  written write(const std::string& prefix, double duration_s) const;

 private:
  struct camera {
    uint64_t frames = 0, detections = 0, slo_misses = 0, bytes = 0;
    vision::sample_summary latency_ms;
    vision::sample_summary detected_latency_ms;  // frames a detector's result reached (not tracked only)
    troupe::latency_series latency_series;
    uint64_t truth_frames = 0, scored_frames = 0;
    vision::match_counts counts;
    // Exact per detection for a camera's first 4096 of a class, then counts per score:
    // at 65 536 a camera's list (8 B a detection, doubling as it grew) kept growing for
    // the whole of a 30-minute soak (2 MB per 10 min at 16 cameras). The pooled all_map_
    // stays exact longer.
    vision::map_accumulator map{0.5, 4096};
    std::map<uint64_t, std::vector<vision::detection>> unscored_truth;  // by frame
    std::map<uint64_t, std::vector<vision::detection>> unscored_detections;
    msg::CameraStats stats;
  };
  void score(camera& c, const std::vector<vision::detection>& found, const std::vector<vision::detection>& truth);

  double slo_ms_, slot_s_;
  std::map<int64_t, double> slot_delay_ms_;  // by slot of capture: the slowest frame's latency
  std::map<std::string, camera> cameras_;
  vision::map_accumulator all_map_;  // every camera's frames pooled
  std::map<std::string, replica_figures> replicas_;
  std::map<std::string, pace_figures> paces_;
  std::map<std::string, msg::GpuStats> gpus_;  // by node/device/index
  std::map<std::string, camera_books> books_;
};

}  // namespace troupe
