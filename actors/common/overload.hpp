// Overload a user can see: a replica that is saturated (busy nearly all of a window, or
// dropping stale or overflowing work) and a camera behind its frame rate. Pure
// functions of the figures the sink receives, so the per-second line and the run
// report flag the same things.
#pragma once

#include <string>

#include "troupe/messages/vision.pb.h"

namespace troupe {

struct overload_thresholds {
  double busy = 0.95;         // share of a window spent computing
  double camera_pace = 0.9;   // share of the frame rate a camera must keep
};

struct replica_load {
  double utilisation = 0;     // busy time over the window and the replica's parallelism
  uint64_t dropped_stale = 0, dropped_full = 0;
  bool saturated = false;
  std::string why;            // "busy 98%", "12 stale drops", ...; empty when not saturated
};

// Between two cumulative snapshots of one replica `window_ms` (deployment time) apart;
// `before` is empty (default) for the first window.
replica_load replica_window(const msg::ReplicaStats& before, const msg::ReplicaStats& now, double window_ms,
                            const overload_thresholds& t = {});

struct camera_pace {
  double fps = 0, target_fps = 0;
  bool behind = false;
};
camera_pace pace_of(const msg::CameraPace& p, const overload_thresholds& t = {});

}  // namespace troupe
