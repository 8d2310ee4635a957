#include "actors/runtime/bus/announcement_effect.hpp"

#include "troupe/messages/runtime.pb.h"

namespace troupe {

announcement_effect apply_announcement(const letter& l, directory& dir, const std::string& self, int64_t now_ns) {
  using H = announcement_effect::hello;
  announcement_effect e;
  if (auto hello = l.as<msg::NodeHello>()) {
    e.losses = dir.hello(hello->node(), hello->incarnation(), {hello->actors().begin(), hello->actors().end()}, now_ns);
    e.say = hello->want_reply() ? H::answer : H::none;
  } else if (auto hb = l.as<msg::NodeHeartbeat>()) {
    e.say = dir.heartbeat(hb->node(), hb->incarnation(), hb->actor_count(), now_ns) ? H::ask : H::none;
  } else if (auto up = l.as<msg::ActorUp>()) {
    dir.actor_up(up->actor(), up->node(), now_ns);
  } else if (auto down = l.as<msg::ActorDown>()) {
    if (is_crash(down->reason()))
      e.failure = actor_failure{down->actor(), down->node(), "", down->reason()};
    if (auto loss = dir.actor_down(down->actor(), down->node(), down->reason()))
      e.losses.push_back(*loss);
  } else if (auto failed = l.as<msg::ActorFailed>()) {
    e.failure = actor_failure{failed->actor(), failed->node(), failed->kind(), failed->reason()};
  } else if (auto gone = l.as<msg::NodeDown>()) {
    if (gone->node() == self)
      e.say = H::ask;  // someone thought we were dead: correct them
    else
      e.losses = dir.node_down(gone->node(), gone->reason());
  }
  return e;
}

}  // namespace troupe
