#include "actors/runtime/bus/envelope_codec.hpp"

#include <unordered_map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "troupe/messages/envelope.pb.h"

namespace troupe {

namespace pb = google::protobuf;

const char* to_string(decode_failure f) {
  switch (f) {
    case decode_failure::garbage: return "garbage";
    case decode_failure::wrong_version: return "wrong schema version";
    case decode_failure::unknown_type: return "unknown type";
    case decode_failure::bad_payload: return "bad payload";
    case decode_failure::oversized: return "oversized";
  }
  return "?";
}

namespace {

const pb::Message* find_prototype(const std::string& type) {
  auto* desc = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type);
  return desc ? pb::MessageFactory::generated_factory()->GetPrototype(desc) : nullptr;
}

}  // namespace

std::unique_ptr<pb::Message> make_message(const std::string& type) {
  // The generated pool and factory take locks; each delivery thread keeps its own
  // cache of the few types it sees.
  thread_local std::unordered_map<std::string, const pb::Message*> cache;
  auto i = cache.find(type);
  if (i == cache.end())
    i = cache.emplace(type, find_prototype(type)).first;
  return i->second ? std::unique_ptr<pb::Message>(i->second->New()) : nullptr;
}

std::string encode_envelope(const letter& l) {
  std::string out;
  encode_envelope(l, out);
  return out;
}

void encode_envelope(const letter& l, std::string& out) {
  // Reused per thread: clearing keeps the strings' capacity, sparing allocations
  // on the hot path (cross-thread frees contend on malloc's arena lock).
  thread_local msg::Envelope env;
  env.Clear();
  env.set_type(l.type);
  env.set_schema_version(envelope_schema_version);
  env.set_sender(l.sender);
  env.set_sender_node(l.sender_node);
  if (!l.topic.empty())
    env.set_topic(l.topic);
  else
    env.set_receiver(l.receiver);
  env.set_trace_id(l.trace.trace_id.data(), l.trace.trace_id.size());
  env.set_span_id(l.trace.span_id);
  env.set_parent_span_id(l.trace.parent_span_id);
  env.set_send_time_unix_ns(l.send_time_ns);
  env.set_sequence(l.sequence);
  env.set_reply_subject(l.reply_subject);
  env.set_correlation_id(l.correlation_id);
  // Payload is appended as field 15 straight from the body: protobuf accepts fields
  // in any order, and this saves copying large payloads into env first.
  size_t header = env.ByteSizeLong();
  size_t body = l.body ? l.body->ByteSizeLong() : 0;
  constexpr uint32_t payload_tag = (15 << 3) | 2;
  size_t total = header + pb::io::CodedOutputStream::VarintSize32(payload_tag) +
                 pb::io::CodedOutputStream::VarintSize64(body) + body;
  out.resize(total);
  pb::io::ArrayOutputStream array(out.data(), static_cast<int>(total));
  pb::io::CodedOutputStream coded(&array);
  env.SerializeWithCachedSizes(&coded);
  coded.WriteVarint32(payload_tag);
  coded.WriteVarint64(body);
  if (l.body)
    l.body->SerializeWithCachedSizes(&coded);
}

namespace {

letter header_of(msg::Envelope& env) {
  letter l;
  l.type = std::move(*env.mutable_type());
  l.sender = std::move(*env.mutable_sender());
  l.sender_node = std::move(*env.mutable_sender_node());
  l.receiver = env.receiver();
  l.topic = env.topic();
  if (env.trace_id().size() == l.trace.trace_id.size())
    std::copy(env.trace_id().begin(), env.trace_id().end(), l.trace.trace_id.begin());
  l.trace.span_id = env.span_id();
  l.trace.parent_span_id = env.parent_span_id();
  l.send_time_ns = env.send_time_unix_ns();
  l.sequence = env.sequence();
  l.reply_subject = env.reply_subject();
  l.correlation_id = env.correlation_id();
  return l;
}

}  // namespace

std::optional<letter> decode_header(const char* data, size_t size) {
  msg::Envelope env;
  if (!env.ParseFromArray(data, static_cast<int>(size)) || env.type().empty())
    return std::nullopt;
  auto l = header_of(env);
  l.wire_bytes = size;
  return l;
}

std::variant<letter, decode_failure> decode_envelope(const char* data, size_t size,
                                                     size_t max_bytes) {
  if (max_bytes != 0 && size > max_bytes)
    return decode_failure::oversized;
  thread_local msg::Envelope env;  // reused per delivery thread, like encode's
  if (!env.ParseFromArray(data, static_cast<int>(size)) || env.type().empty())
    return decode_failure::garbage;
  if (env.schema_version() != envelope_schema_version)
    return decode_failure::wrong_version;
  auto body = make_message(env.type());
  if (!body)
    return decode_failure::unknown_type;
  if (!body->ParseFromString(env.payload()))
    return decode_failure::bad_payload;
  letter l = header_of(env);
  l.wire_bytes = size;
  l.body = std::move(body);
  return l;
}

}  // namespace troupe
