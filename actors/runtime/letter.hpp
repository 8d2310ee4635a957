// What an actor receives: the envelope's header fields and the decoded payload.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <google/protobuf/message.h>

namespace troupe {

using message_ptr = std::shared_ptr<const google::protobuf::Message>;

// W3C trace-context shape: a 16-byte trace id shared by everything one cause set
// off, an 8-byte span id per message, and the span of the message that caused it.
struct trace_context {
  std::array<uint8_t, 16> trace_id{};
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;

  static trace_context root();
  trace_context child() const;  // same trace, fresh span, parent = this span
  bool valid() const;
  std::string trace_id_hex() const;
};

std::string span_hex(uint64_t span);

struct letter {
  std::string type;         // full protobuf name of body
  std::string sender;       // actor name
  std::string sender_node;
  std::string receiver;     // set for point-to-point sends
  std::string topic;        // set for publish/subscribe
  trace_context trace;
  int64_t send_time_ns = 0;
  uint64_t sequence = 0;
  std::string reply_subject;    // remote requests: where the reply goes
  uint64_t correlation_id = 0;  // requests and replies
  size_t wire_bytes = 0;        // envelope size on the bus; 0 for local sends
  int64_t deadline_ns = 0;      // deployment time by which an emulated link must deliver it, else it is cut;
                                // 0: none. The sender's only: not on the wire.
  message_ptr body;

  template <class T>
  const T* as() const {
    return dynamic_cast<const T*>(body.get());
  }
  template <class T>
  bool is() const {
    return as<T>() != nullptr;
  }
  bool is_request() const { return correlation_id != 0; }
};

}  // namespace troupe

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::letter)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(troupe::trace_context)
