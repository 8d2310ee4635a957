#include "actors/runtime/bus/announcement_check.hpp"

#include "troupe/messages/runtime.pb.h"

namespace troupe {

namespace {

// The node an announcement speaks for, where it names one; NodeDown names its subject.
std::optional<std::string> speaker(const letter& l) {
  if (auto m = l.as<msg::NodeHello>())
    return m->node();
  if (auto m = l.as<msg::NodeHeartbeat>())
    return m->node();
  if (auto m = l.as<msg::ActorUp>())
    return m->node();
  if (auto m = l.as<msg::ActorDown>())
    return m->node();
  if (auto m = l.as<msg::ActorFailed>())
    return m->node();
  return std::nullopt;
}

}  // namespace

std::optional<refusal> check_announcement(const letter& l, const std::string& publisher, const directory& dir,
                                          int64_t now_ns, int64_t suspicion_ns) {
  if (publisher.empty() || l.sender_node != publisher || l.sender != "node/" + publisher)
    return refusal::forged_sender;
  if (auto who = speaker(l); who && *who != publisher)
    return refusal::forged_sender;
  if (auto down = l.as<msg::ActorDown>()) {
    auto host = dir.host_of(down->actor());
    if (host && *host != publisher)
      return refusal::not_its_actor;
  }
  if (auto gone = l.as<msg::NodeDown>(); gone && gone->node() != publisher) {
    auto seen = dir.last_seen(gone->node());
    if (seen && now_ns - *seen < suspicion_ns)
      return refusal::live_node;
  }
  return std::nullopt;
}

}  // namespace troupe
