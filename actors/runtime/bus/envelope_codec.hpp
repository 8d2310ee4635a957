// Letter <-> Envelope bytes. The envelope is the only schema the bridge knows; the
// payload is decoded by its full protobuf name from the types linked into the binary.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "actors/runtime/letter.hpp"

namespace troupe {

// Bumped when the Envelope changes incompatibly; other versions are dropped.
constexpr uint32_t envelope_schema_version = 1;

// Why an incoming envelope was dropped; each kind is counted separately.
enum class decode_failure {
  garbage,         // bytes that do not parse as an Envelope
  wrong_version,   // schema_version != envelope_schema_version
  unknown_type,    // payload type not linked into this binary
  bad_payload,     // payload bytes do not parse as their type
  oversized,       // larger than the node's max envelope size
};
constexpr int decode_failure_kinds = 5;
const char* to_string(decode_failure f);

// Serializes header + body without copying the payload into an intermediate Envelope.
std::string encode_envelope(const letter& l);
void encode_envelope(const letter& l, std::string& out);  // reuses out's capacity

// max_bytes == 0 disables the size check.
std::variant<letter, decode_failure> decode_envelope(const char* data, size_t size,
                                                     size_t max_bytes = 0);

// Several envelopes in one NATS message (messages/envelope.proto's EnvelopeBatch): what
// the outbox publishes when letters to one subject queue up. append_to_batch adds one
// envelope's bytes to a batch (empty: a new one).
void append_to_batch(std::string& batch, const char* envelope, size_t size);
bool is_batch(const char* data, size_t size);

// Calls each(data, size) for every envelope a NATS message carries: itself, or those
// of a batch, in order. False when a batch's framing is broken (none of it is handed
// on: garbage).
template <class Each>
bool for_each_envelope(const char* data, size_t size, Each&& each);

// The header only, payload left undecoded: for tools that show any envelope, even of
// types this binary does not know. nullopt when the bytes are not an envelope.
std::optional<letter> decode_header(const char* data, size_t size);

// A new, empty message of the named type, or nullptr if the type is not linked in.
std::unique_ptr<google::protobuf::Message> make_message(const std::string& type);

namespace detail {
// The next envelope of a batch: its bytes in (envelope, size), `at` moved past it. False
// at the end or where the framing is broken (then `at` is not at the end).
bool next_batched(const char*& at, const char* end, const char*& envelope, size_t& size);
}  // namespace detail

template <class Each>
bool for_each_envelope(const char* data, size_t size, Each&& each) {
  if (!is_batch(data, size)) {
    each(data, size);
    return true;
  }
  const char* at = data;
  const char* end = data + size;
  const char* envelope = nullptr;
  size_t n = 0;
  while (detail::next_batched(at, end, envelope, n))
    ;
  if (at != end)
    return false;  // checked whole before any is handed on
  at = data;
  while (detail::next_batched(at, end, envelope, n))
    each(envelope, n);
  return true;
}

}  // namespace troupe
