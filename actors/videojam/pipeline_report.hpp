// What VideoJam's experiments report (§3.5.2): response time from capture to the end
// of the pipeline, the loss rate (items dropped at full queues, with no replica to
// take them, sent to a lost neighbour, or waiting in a replica that failed, over every
// item offered to a function), and the bandwidth of offloading between replicas.
// Replicas' counters are totals since they started; a restarted replica's earlier
// totals are kept. With an SLO (OctoCross: 200 ms) it counts results later than it;
// for emulated crowds it counts objects delivered against the objects the cameras
// offered (the ideal throughput), overall and per camera (octocross.txt §5, Figs. 5–6).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/common/item_books.hpp"
#include "troupe/messages/videojam.pb.h"

namespace troupe {

struct pipeline_totals {
  uint64_t results = 0;
  double response_mean_ms = 0, response_p50_ms = 0, response_p95_ms = 0, response_p99_ms = 0;
  double slo_miss_rate = 0;         // results later than the SLO / results (0 without an SLO)
  uint64_t objects_delivered = 0, objects_offered = 0;  // emulated crowds
  uint64_t offered = 0, lost = 0;   // items
  uint64_t dropped_full = 0, unrouted = 0, lost_to_failures = 0, sent_to_lost = 0, failed = 0;
  uint64_t dropped_link = 0;        // offloads and results an emulated uplink dropped at its queue bound
  double loss_rate = 0;             // lost / offered
  double offload_mb = 0;
  uint64_t offloaded = 0, control_messages = 0, congestion_signals = 0, monitor_reactions = 0, prediction_errors = 0;
  uint64_t processed = 0, overruns = 0;  // overruns: this machine was slower than the emulated device
  double dispatch_us_p50 = 0, forecast_us_p50 = 0;  // the slowest replica's median per window
};

// One camera's results.
struct camera_totals {
  uint64_t results = 0, objects_delivered = 0, objects_offered = 0;
  double response_mean_ms = 0, response_p95_ms = 0, slo_miss_rate = 0;
};

class pipeline_report {
 public:
  explicit pipeline_report(double slo_ms = 0) : slo_ms_(slo_ms) {}
  void add_result(const msg::videojam::PipelineResult& r, double response_ms, double t_s);
  void add_stats(const msg::videojam::FunctionStats& s);
  // The replica failed: what its last report said was queued is lost.
  void replica_down(const std::string& replica);
  bool knows(const std::string& replica) const { return latest_.count(replica) > 0; }
  // Each camera's books of its items (frames, and the objects cut from them), closed at the end.
  void set_books(std::map<std::string, camera_books> books) { books_ = std::move(books); }

  pipeline_totals totals() const;
  std::map<std::string, camera_totals> per_camera() const;
  std::string table(double duration_s) const;
  nlohmann::json json(double duration_s) const;

 private:
  std::map<std::string, msg::videojam::FunctionStats> latest_;   // per replica, since its last start
  std::map<std::string, msg::videojam::FunctionStats> retired_;  // per replica, summed over earlier starts
  struct camera_results {
    std::vector<double> response_ms;
    uint64_t objects = 0;
  };

  double slo_ms_;
  std::vector<double> response_ms_;
  std::map<std::string, camera_results> cameras_;
  std::map<int, std::vector<double>> per_second_;       // response times by arrival second
  std::map<int, uint64_t> objects_per_second_;          // objects delivered, by the same second
  uint64_t lost_to_failures_ = 0;
  std::map<std::string, camera_books> books_;
};

}  // namespace troupe
