// How far a node can vouch for the bus when it measures others' silence. Its own
// heartbeats come back to it over the same liveness connection as everyone else's; one
// sent at s and heard back says the path delivered what was sent before s. When its own
// come back late (the node's liveness thread, its reader or the server starved behind
// work), the others' are late on the same path: silence is measured up to the horizon,
// not the wall clock, so overload is not taken for death (issue 20). A node that really
// died stays silent while ours keep coming back, and is declared down as before.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>

namespace troupe {

// Our own heartbeats' recent delays over a window: how late they came back (heard −
// sent) and how late our liveness thread ran them (a tick past its due time). A peer's
// heartbeat may be as late on its way out as ours were, so the horizon stays back by
// the worst of them (an adaptive timeout, as φ-accrual failure detectors have), and
// comes back to the wall clock once the node runs and hears quickly again.
class echo_delays {
 public:
  explicit echo_delays(int64_t window_ns) : window_ns_(window_ns) {}

  void heard(int64_t now_ns, int64_t sent_ns) { add(now_ns, now_ns - sent_ns); }
  void ran_late(int64_t now_ns, int64_t due_ns) { add(now_ns, now_ns - due_ns); }
  int64_t recent_max(int64_t now_ns) {
    forget(now_ns);
    int64_t worst = 0;
    for (auto& d : delays_)
      worst = std::max(worst, d.second);
    return worst;
  }

 private:
  void add(int64_t now_ns, int64_t delay_ns) {
    delays_.emplace_back(now_ns, std::max<int64_t>(0, delay_ns));
    forget(now_ns);
  }
  void forget(int64_t now_ns) {
    while (!delays_.empty() && now_ns - delays_.front().first > window_ns_)
      delays_.pop_front();
  }

  int64_t window_ns_;
  std::deque<std::pair<int64_t, int64_t>> delays_;  // (heard at, delay)
};

// own_heard_sent_ns: the send time of the latest own heartbeat heard back (the node's
// start before the first); interval_ns: the heartbeat interval, the next one's due time;
// recent_delay_ns: echo_delays::recent_max.
inline int64_t silence_horizon(int64_t now_ns, int64_t own_heard_sent_ns, int64_t interval_ns,
                               int64_t recent_delay_ns = 0) {
  return std::min(now_ns, own_heard_sent_ns + interval_ns) - recent_delay_ns;
}

}  // namespace troupe
