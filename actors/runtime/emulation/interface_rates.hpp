// The rates a node's shaped interfaces offer now, as a sender or a scheduler reads them
// (ReMO's eq. 4 takes the rate between two devices from them).
#pragma once

namespace troupe {

struct interface_rates {
  double uplink_mbps = 0, downlink_mbps = 0;  // 0: that direction is not shaped
};

}  // namespace troupe
