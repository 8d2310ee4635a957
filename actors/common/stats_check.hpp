// Whether a replica's stats (topic replica-stats) can be real: in its own name, finite
// non-negative figures. A forged busy time once could make ROOMIE's autoscaler add
// replicas, and a NaN would reach every report.
#pragma once

#include <optional>
#include <string>

#include "actors/runtime/bus/refusal.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

std::optional<refusal> check_replica_stats(const msg::ReplicaStats& st, const std::string& sender);

}  // namespace troupe
