// The bus's front door: any bytes as an envelope, and what a node does with one that
// decodes: the announcement check against a directory, the directory's update, and a
// re-encoding that must decode again.
#include <chrono>
#include <variant>

#include "actors/runtime/bus/announcement_check.hpp"
#include "actors/runtime/bus/directory.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "fuzz/harness.hpp"
#include "troupe/messages/runtime.pb.h"

using namespace troupe;

namespace {

constexpr int64_t now_ns = 3'600'000'000'000;  // an hour into the run
constexpr int64_t suspicion_ns = 1'000'000'000;

// What node_core::on_sys_subject does with an announcement that passed its check.
void apply(const letter& l, directory& dir) {
  if (auto hello = l.as<msg::NodeHello>())
    dir.hello(hello->node(), hello->incarnation(), {hello->actors().begin(), hello->actors().end()}, now_ns);
  else if (auto hb = l.as<msg::NodeHeartbeat>())
    dir.heartbeat(hb->node(), hb->incarnation(), hb->actor_count(), now_ns);
  else if (auto up = l.as<msg::ActorUp>())
    dir.actor_up(up->actor(), up->node(), now_ns);
  else if (auto down = l.as<msg::ActorDown>())
    dir.actor_down(down->actor(), down->node(), down->reason());
  else if (auto gone = l.as<msg::NodeDown>())
    dir.node_down(gone->node(), gone->reason());
  dir.expire(now_ns, suspicion_ns, suspicion_ns, "silent");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = reinterpret_cast<const char*>(data);
  decode_header(bytes, size);
  auto decoded = decode_envelope(bytes, size, 1 << 20);
  auto* l = std::get_if<letter>(&decoded);
  if (l == nullptr)
    return 0;
  directory dir("me");
  dir.hello("edge", 7, {"cam-1", "det"}, now_ns - suspicion_ns);
  if (!check_announcement(*l, l->sender_node, dir, now_ns, suspicion_ns))
    apply(*l, dir);
  auto again = encode_envelope(*l);
  if (!std::holds_alternative<letter>(decode_envelope(again.data(), again.size())))
    __builtin_trap();  // what we encode, we must decode
  return 0;
}
