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

namespace troupe {

// own_heard_sent_ns: the send time of the latest own heartbeat heard back (the node's
// start before the first); interval_ns: the heartbeat interval, the next one's due time.
inline int64_t silence_horizon(int64_t now_ns, int64_t own_heard_sent_ns, int64_t interval_ns) {
  return std::min(now_ns, own_heard_sent_ns + interval_ns);
}

}  // namespace troupe
