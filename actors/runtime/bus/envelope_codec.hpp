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

// The header only, payload left undecoded: for tools that show any envelope, even of
// types this binary does not know. nullopt when the bytes are not an envelope.
std::optional<letter> decode_header(const char* data, size_t size);

// A new, empty message of the named type, or nullptr if the type is not linked in.
std::unique_ptr<google::protobuf::Message> make_message(const std::string& type);

}  // namespace troupe
