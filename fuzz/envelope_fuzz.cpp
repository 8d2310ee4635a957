// The bus's front door: any bytes as a NATS message (an envelope or a batch of them),
// and what a node does with each envelope that decodes: the announcement check against a
// directory, the directory's update, and a re-encoding that must decode again.
#include <chrono>
#include <variant>

#include "actors/runtime/bus/announcement_check.hpp"
#include "actors/runtime/bus/announcement_effect.hpp"
#include "actors/runtime/bus/directory.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "fuzz/harness.hpp"

using namespace troupe;

namespace {

constexpr int64_t now_ns = 3'600'000'000'000;  // an hour into the run
constexpr int64_t suspicion_ns = 1'000'000'000;

void one_envelope(const char* bytes, size_t size) {
  decode_header(bytes, size);
  auto decoded = decode_envelope(bytes, size, 1 << 20);
  auto* l = std::get_if<letter>(&decoded);
  if (l == nullptr)
    return;
  directory dir("me");
  dir.hello("edge", 7, {"cam-1", "det"}, now_ns - suspicion_ns);
  if (!check_announcement(*l, l->sender_node, dir, now_ns, suspicion_ns))
    apply_announcement(*l, dir, "me", now_ns);
  dir.expire(now_ns, suspicion_ns, suspicion_ns, "silent");
  auto again = encode_envelope(*l);
  if (!std::holds_alternative<letter>(decode_envelope(again.data(), again.size())))
    __builtin_trap();  // what we encode, we must decode
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto bytes = reinterpret_cast<const char*>(data);
  size_t handed = 0;
  bool whole = for_each_envelope(bytes, size, [&](const char* envelope, size_t n) {
    if (envelope < bytes || envelope + n > bytes + size)
      __builtin_trap();  // a batch's envelope lies inside the message
    ++handed;
    one_envelope(envelope, n);
  });
  if (!whole && handed != 0)
    __builtin_trap();  // a broken batch hands on nothing
  return 0;
}
