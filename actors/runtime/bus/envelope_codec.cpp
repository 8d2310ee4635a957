#include "actors/runtime/bus/envelope_codec.hpp"

#include <algorithm>
#include <unordered_map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

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

namespace {

namespace wire {
// The Envelope's fields (messages/envelope.proto), written and read by hand: no copy of
// a name into a message first, no UTF-8 pass over names checked for plain ASCII here,
// and the payload parsed in place. EnvelopeCodec.MatchesProtobufsOwnEnvelopeEncoding
// holds this to protobuf's own encoding.
enum field : uint32_t {
  type = 1, schema_version = 2, sender = 3, sender_node = 4, receiver = 5, topic = 6, trace_id = 7, span_id = 8,
  parent_span_id = 9, send_time = 10, sequence = 11, reply_subject = 12, correlation_id = 13, payload = 15
};
using pb::internal::WireFormatLite;
constexpr uint32_t tag(field f, WireFormatLite::WireType t) { return (uint32_t(f) << 3) | t; }
constexpr auto delimited = WireFormatLite::WIRETYPE_LENGTH_DELIMITED;
constexpr auto varint = WireFormatLite::WIRETYPE_VARINT;
constexpr auto fixed64 = WireFormatLite::WIRETYPE_FIXED64;

// Sizes and writes one envelope; proto3 leaves out zero and empty fields, the set
// member of the oneof always goes (an empty receiver too).
template <class Out>
void fields(const letter& l, size_t body, Out& out) {
  out.string(type, l.type, false);
  out.number(schema_version, envelope_schema_version);
  out.string(sender, l.sender, false);
  out.string(sender_node, l.sender_node, false);
  if (!l.topic.empty())
    out.string(topic, l.topic, true);
  else
    out.string(receiver, l.receiver, true);
  out.bytes(trace_id, l.trace.trace_id.data(), l.trace.trace_id.size(), true);  // 16 bytes, zero or not
  out.fixed(span_id, l.trace.span_id);
  out.fixed(parent_span_id, l.trace.parent_span_id);
  out.number(send_time, uint64_t(l.send_time_ns));
  out.number(sequence, l.sequence);
  out.string(reply_subject, l.reply_subject, false);
  out.number(correlation_id, l.correlation_id);
  out.payload(body);
}

struct sizer {
  size_t total = 0;
  void string(field f, const std::string& s, bool always) { bytes(f, s.data(), s.size(), always || !s.empty()); }
  void bytes(field, const void*, size_t n, bool present) {
    if (present)
      total += 1 + pb::io::CodedOutputStream::VarintSize64(n) + n;
  }
  void number(field, uint64_t v) {
    if (v != 0)
      total += 1 + pb::io::CodedOutputStream::VarintSize64(v);
  }
  void fixed(field, uint64_t v) {
    if (v != 0)
      total += 1 + 8;
  }
  void payload(size_t n) { total += 1 + pb::io::CodedOutputStream::VarintSize64(n) + n; }
};

struct writer {
  pb::io::CodedOutputStream& o;
  const pb::Message* body;
  void string(field f, const std::string& s, bool always) { bytes(f, s.data(), s.size(), always || !s.empty()); }
  void bytes(field f, const void* data, size_t n, bool present) {
    if (!present)
      return;
    o.WriteTag(tag(f, delimited));
    o.WriteVarint64(n);
    o.WriteRaw(data, int(n));
  }
  void number(field f, uint64_t v) {
    if (v == 0)
      return;
    o.WriteTag(tag(f, varint));
    o.WriteVarint64(v);
  }
  void fixed(field f, uint64_t v) {
    if (v == 0)
      return;
    o.WriteTag(tag(f, fixed64));
    o.WriteLittleEndian64(v);
  }
  void payload(size_t n) {
    o.WriteTag(tag(wire::payload, delimited));
    o.WriteVarint64(n);
    if (body != nullptr)
      body->SerializeWithCachedSizes(&o);
  }
};

// Names, types and subjects are plain printable ASCII; anything else is no envelope of
// ours (protobuf's own parser refused what is no UTF-8).
bool plain(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127; });
}

bool read_string(pb::io::CodedInputStream& in, std::string& s) {
  uint32_t n = 0;
  return in.ReadVarint32(&n) && in.ReadString(&s, int(n)) && plain(s);
}

struct header {
  letter l;
  uint32_t version = 0;
  const char* payload = "";
  size_t payload_size = 0;
};

// Reads every field; the payload is located, not copied. False: not an envelope.
bool read_header(const char* data, size_t size, header& h) {
  pb::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(data), int(size));
  auto& l = h.l;
  while (uint32_t t = in.ReadTag()) {
    bool ok = true;
    uint32_t n32 = 0;
    uint64_t n64 = 0;
    switch (t) {
      case tag(type, delimited): ok = read_string(in, l.type); break;
      case tag(schema_version, varint): ok = in.ReadVarint32(&h.version); break;
      case tag(sender, delimited): ok = read_string(in, l.sender); break;
      case tag(sender_node, delimited): ok = read_string(in, l.sender_node); break;
      case tag(receiver, delimited): ok = read_string(in, l.receiver) && (l.topic.clear(), true); break;
      case tag(topic, delimited): ok = read_string(in, l.topic) && (l.receiver.clear(), true); break;
      case tag(trace_id, delimited):
        ok = in.ReadVarint32(&n32);
        if (ok && n32 == l.trace.trace_id.size())
          ok = in.ReadRaw(l.trace.trace_id.data(), int(n32));
        else
          ok = ok && in.Skip(int(n32));  // not a trace id of ours: none
        break;
      case tag(span_id, fixed64): ok = in.ReadLittleEndian64(&l.trace.span_id); break;
      case tag(parent_span_id, fixed64): ok = in.ReadLittleEndian64(&l.trace.parent_span_id); break;
      case tag(send_time, varint): ok = in.ReadVarint64(&n64), l.send_time_ns = int64_t(n64); break;
      case tag(sequence, varint): ok = in.ReadVarint64(&l.sequence); break;
      case tag(reply_subject, delimited): ok = read_string(in, l.reply_subject); break;
      case tag(correlation_id, varint): ok = in.ReadVarint64(&l.correlation_id); break;
      case tag(payload, delimited):
        ok = in.ReadVarint32(&n32) && n32 <= size - size_t(in.CurrentPosition());
        if (ok) {
          h.payload = data + in.CurrentPosition();
          h.payload_size = n32;
          ok = in.Skip(int(n32));
        }
        break;
      default: ok = WireFormatLite::SkipField(&in, t);  // a field of a later envelope
    }
    if (!ok)
      return false;
  }
  return in.ConsumedEntireMessage() && !l.type.empty();
}

}  // namespace wire

}  // namespace

void encode_envelope(const letter& l, std::string& out) {
  size_t body = l.body ? l.body->ByteSizeLong() : 0;
  wire::sizer size;
  wire::fields(l, body, size);
  out.resize(size.total);
  pb::io::ArrayOutputStream array(out.data(), static_cast<int>(size.total));
  pb::io::CodedOutputStream coded(&array);
  wire::writer w{coded, l.body.get()};
  wire::fields(l, body, w);
}

namespace {
// EnvelopeBatch's one field, 16, length-delimited: two bytes of tag (0x82 0x01), which no
// Envelope starts with.
constexpr uint32_t batch_tag = wire::tag(wire::field(16), wire::delimited);
}  // namespace

void append_to_batch(std::string& batch, const char* envelope, size_t size) {
  uint8_t head[2 + 10];
  auto* end = pb::io::CodedOutputStream::WriteVarint32ToArray(batch_tag, head);
  end = pb::io::CodedOutputStream::WriteVarint64ToArray(size, end);
  batch.append(reinterpret_cast<const char*>(head), size_t(end - head));
  batch.append(envelope, size);
}

bool is_batch(const char* data, size_t size) {
  return size >= 2 && uint8_t(data[0]) == (batch_tag & 0x7f) + 0x80 && uint8_t(data[1]) == batch_tag >> 7;
}

bool detail::next_batched(const char*& at, const char* end, const char*& envelope, size_t& size) {
  if (end - at < 3 || !is_batch(at, size_t(end - at)))
    return false;
  pb::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(at + 2), int(end - at - 2));
  uint32_t n = 0;
  if (!in.ReadVarint32(&n) || n > size_t(end - at - 2) - size_t(in.CurrentPosition()))
    return false;
  envelope = at + 2 + in.CurrentPosition();
  size = n;
  at = envelope + n;
  return true;
}

std::optional<letter> decode_header(const char* data, size_t size) {
  wire::header h;
  if (!wire::read_header(data, size, h))
    return std::nullopt;
  h.l.wire_bytes = size;
  return std::move(h.l);
}

std::variant<letter, decode_failure> decode_envelope(const char* data, size_t size,
                                                     size_t max_bytes) {
  if (max_bytes != 0 && size > max_bytes)
    return decode_failure::oversized;
  wire::header h;
  if (!wire::read_header(data, size, h))
    return decode_failure::garbage;
  if (h.version != envelope_schema_version)
    return decode_failure::wrong_version;
  auto body = make_message(h.l.type);
  if (!body)
    return decode_failure::unknown_type;
  if (!body->ParseFromArray(h.payload, static_cast<int>(h.payload_size)))
    return decode_failure::bad_payload;
  h.l.wire_bytes = size;
  h.l.body = std::move(body);
  return std::move(h.l);
}

}  // namespace troupe
