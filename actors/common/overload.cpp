#include "actors/common/overload.hpp"

#include <algorithm>
#include <cmath>

namespace troupe {

replica_load replica_window(const msg::ReplicaStats& before, const msg::ReplicaStats& now, double window_ms,
                            const overload_thresholds& t) {
  replica_load out;
  double parallel = std::max<uint32_t>(1, now.parallel());
  // Capped at 1: an emulated device books a batch's whole time when it starts, so a
  // window can hold more busy time than it lasted.
  if (window_ms > 0)
    out.utilisation = std::min(1.0, (now.busy_ms() - before.busy_ms()) / (window_ms * parallel));
  out.dropped_stale = now.dropped_stale() - std::min(now.dropped_stale(), before.dropped_stale());
  out.dropped_full = now.dropped_full() - std::min(now.dropped_full(), before.dropped_full());
  std::string why;
  if (out.utilisation >= t.busy)
    why = "busy " + std::to_string(int(std::lround(out.utilisation * 100))) + "%";
  if (out.dropped_stale > 0)
    why += (why.empty() ? "" : ", ") + std::to_string(out.dropped_stale) + " stale";
  if (out.dropped_full > 0)
    why += (why.empty() ? "" : ", ") + std::to_string(out.dropped_full) + " queue-full";
  out.saturated = !why.empty();
  out.why = why;
  return out;
}

camera_pace pace_of(const msg::CameraPace& p, const overload_thresholds& t) {
  camera_pace out;
  out.target_fps = p.target_fps();
  out.fps = p.window_s() > 0 ? p.frames() / p.window_s() : 0;
  out.behind = p.target_fps() > 0 && out.fps < t.camera_pace * p.target_fps();
  return out;
}

}  // namespace troupe
