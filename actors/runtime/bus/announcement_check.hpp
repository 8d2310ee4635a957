// Whether a node's announcement (hello, heartbeat, actor up/down/failed, node down) is
// plausible: it came on its publisher's own sys subject (NATS permissions pin who may
// publish there), names that node as its sender, and agrees with the directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "actors/runtime/bus/directory.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "actors/runtime/letter.hpp"

namespace troupe {

// publisher: the node named by the subject (sys_publisher). suspicion_ns: a NodeDown
// about another node is refused while that node was heard from this recently.
std::optional<refusal> check_announcement(const letter& l, const std::string& publisher, const directory& dir,
                                          int64_t now_ns, int64_t suspicion_ns);

}  // namespace troupe
