// An emulated network link: latency plus size over bandwidth, where the bandwidth (and
// optionally the latency) may follow a trace (piecewise constant, repeated when it runs
// out). In emulated mode a
// transfer takes exactly transfer_time() of deployment time.
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct bandwidth_sample {
  double time_s = 0;          // from this time on ...
  double bandwidth_mbps = 0;  // ... the link carries this many megabits per second
  double latency_ms = -1;     // ... with this latency; < 0: the link's own
};

class link_model {
 public:
  link_model(double bandwidth_mbps, double latency_ms);
  // A trace replaces the fixed bandwidth; it must start at 0 and rise in time. The link
  // is at `offset_s` into it at deployment time 0 (links sharing one trace file differ).
  link_model(std::vector<bandwidth_sample> trace, double latency_ms, double offset_s = 0);

  // Seconds to deliver `bytes` when sending starts at deployment time `start_s`.
  double transfer_time_s(double bytes, double start_s = 0) const;
  // Bytes the link carries between two deployment times when it is busy throughout.
  double bytes_between(double from_s, double to_s) const;
  double bandwidth_mbps_at(double time_s) const;
  double latency_s_at(double time_s) const;

 private:
  struct segment {
    double rate_bps;  // bits per second ...
    double end_s;     // ... until then
  };
  const bandwidth_sample& sample_at(double time_s) const;
  segment segment_at(double time_s) const;

  std::vector<bandwidth_sample> trace_;
  double period_s_ = 0;  // trace length; 0 for a fixed bandwidth
  double offset_s_ = 0;  // where in the trace deployment time 0 falls
  double latency_s_;
};

// Reads a trace file: one "time_s,bandwidth_mbps" or "time_s,bandwidth_mbps,latency_ms"
// per line, '#' starts a comment.
// Throws std::runtime_error naming file and line for anything else.
std::vector<bandwidth_sample> load_bandwidth_trace(const std::string& path);

}  // namespace troupe
