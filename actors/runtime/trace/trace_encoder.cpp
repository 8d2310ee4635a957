#include "actors/runtime/trace/trace_encoder.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <typeinfo>
#include <unordered_map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace troupe {

namespace {

constexpr char hex_digits[] = "0123456789abcdef";

// A line is written by hand, not through a JSON object, straight into a buffer sized
// beforehand: a traced flood pays for every line on its sending and delivering threads.
class line_writer {
 public:
  line_writer(std::string& out, size_t at_most) : out_(out) {
    size_t at = out_.size();
    out_.resize(at + at_most);
    p_ = out_.data() + at;
  }
  ~line_writer() { out_.resize(p_ - out_.data()); }

  // Keys are literals: their quotes, colon and the comma before come with them.
  template <size_t N>
  void raw(const char (&text)[N]) {
    std::memcpy(p_, text, N - 1);
    p_ += N - 1;
  }
  void string(std::string_view v) {
    *p_++ = '"';
    for (char c : v) {
      if (c == '"' || c == '\\') {
        *p_++ = '\\';
        *p_++ = c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        std::memcpy(p_, "\\u00", 4);
        p_[4] = hex_digits[static_cast<unsigned char>(c) >> 4];
        p_[5] = hex_digits[c & 0xf];
        p_ += 6;
      } else {
        *p_++ = c;
      }
    }
    *p_++ = '"';
  }
  template <class Int>
  void number(Int v) {
    p_ = std::to_chars(p_, p_ + 20, v).ptr;
  }
  // Bytes as lowercase hex, most significant first, as trace_id_hex() and span_hex() write them.
  void hex(const uint8_t* bytes, size_t n) {
    *p_++ = '"';
    for (size_t i = 0; i < n; ++i) {
      *p_++ = hex_digits[bytes[i] >> 4];
      *p_++ = hex_digits[bytes[i] & 0xf];
    }
    *p_++ = '"';
  }
  void span(uint64_t span) {
    uint8_t bytes[8];
    for (int i = 0; i < 8; ++i)
      bytes[i] = static_cast<uint8_t>(span >> (56 - 8 * i));
    hex(bytes, 8);
  }

  // Room for a line: its fixed text and numbers, and each name escaped at worst.
  static size_t at_most(const std::string& node, const letter& l) {
    return 512 + 6 * (node.size() + l.type.size() + l.sender.size() +
                      l.receiver.size() + l.topic.size());
  }

 private:
  std::string& out_;
  char* p_;
};

// The work a result's send carries; zeros for any other event or body.
struct work_done {
  int64_t queue_us = 0, compute_us = 0;
  uint32_t batch_size = 0;
  bool any() const { return queue_us > 0 || compute_us > 0 || batch_size > 0; }
};

const google::protobuf::FieldDescriptor* field_of(const google::protobuf::Descriptor* d, const char* name,
                                                  google::protobuf::FieldDescriptor::CppType type) {
  auto* f = d->FindFieldByName(name);
  return f != nullptr && f->cpp_type() == type && !f->is_repeated() ? f : nullptr;
}

// The work a result carries (a replica's queue wait, compute time and batch), in any
// message type that has these fields: `trace export` draws them on the sender's track.
// The fields are looked up when the body's C++ type changes, not per event: reaching a
// message's descriptor costs more than the rest of a binary event. (Bodies are generated
// messages, each type its own class, whose descriptors live as long as the process; a
// DynamicMessage body would need the descriptor as the key.)
class work_reader {
 public:
  work_done of(trace_event event, const letter& l) {
    if (!l.body || event != trace_event::send)
      return {};
    auto& body = *l.body;
    if (type_ != &typeid(body))
      look_up(body);
    work_done w;
    if (!any_)
      return w;
    auto* r = body.GetReflection();
    if (queue_us_ != nullptr)
      w.queue_us = r->GetInt64(body, queue_us_);
    if (compute_us_ != nullptr)
      w.compute_us = r->GetInt64(body, compute_us_);
    if (batch_size_ != nullptr)
      w.batch_size = r->GetUInt32(body, batch_size_);
    return w;
  }

 private:
  void look_up(const google::protobuf::Message& body) {
    using google::protobuf::FieldDescriptor;
    auto* d = body.GetDescriptor();
    type_ = &typeid(body);
    queue_us_ = field_of(d, "queue_us", FieldDescriptor::CPPTYPE_INT64);
    compute_us_ = field_of(d, "compute_us", FieldDescriptor::CPPTYPE_INT64);
    batch_size_ = field_of(d, "batch_size", FieldDescriptor::CPPTYPE_UINT32);
    any_ = queue_us_ != nullptr || compute_us_ != nullptr || batch_size_ != nullptr;
  }

  const std::type_info* type_ = nullptr;
  const google::protobuf::FieldDescriptor* queue_us_ = nullptr;
  const google::protobuf::FieldDescriptor* compute_us_ = nullptr;
  const google::protobuf::FieldDescriptor* batch_size_ = nullptr;
  bool any_ = false;
};

void append_line(std::string& out, const trace_entry& e, const work_done& w) {
  auto& l = e.l;
  line_writer line(out, line_writer::at_most(e.node, l));
  line.raw("{\"event\":");
  line.string(name_of(e.event));
  line.raw(",\"time_ns\":");
  line.number(e.time_ns);
  line.raw(",\"node\":");
  line.string(e.node);
  line.raw(",\"type\":");
  line.string(l.type);
  line.raw(",\"from\":");
  line.string(l.sender);
  line.raw(",\"to\":");
  line.string(l.receiver);
  line.raw(",\"topic\":");
  line.string(l.topic);
  line.raw(",\"bytes\":");
  line.number(e.bytes);
  line.raw(",\"trace_id\":");
  line.hex(l.trace.trace_id.data(), l.trace.trace_id.size());
  line.raw(",\"span_id\":");
  line.span(l.trace.span_id);
  line.raw(",\"parent_span_id\":");
  line.span(l.trace.parent_span_id);
  line.raw(",\"seq\":");
  line.number(l.sequence);
  line.raw(",\"send_time_ns\":");
  line.number(l.send_time_ns);
  if (l.correlation_id != 0) {
    line.raw(",\"correlation_id\":");
    line.number(l.correlation_id);
  }
  auto positive = [&line](const auto& key, auto v) {
    if (v > 0) {
      line.raw(key);
      line.number(v);
    }
  };
  positive(",\"queue_us\":", w.queue_us);
  positive(",\"compute_us\":", w.compute_us);
  positive(",\"batch_size\":", w.batch_size);
  line.raw("}\n");
}

class line_encoder final : public trace_encoder {
 public:
  void add(const trace_entry& e) override { append_line(lines_, e, work_.of(e.event, e.l)); }
  size_t size() const override { return lines_.size(); }
  std::string_view seal() override { return lines_; }
  void clear() override { lines_.clear(); }

 private:
  std::string lines_;
  work_reader work_;
};

// A binary block (trace_format.hpp): an event is copied into a fixed head, and each name
// is written once per block, the first time an event of the block uses it; after that
// the event carries its id. A flood's names rarely change from one event to the next,
// so each slot remembers its last name before the block's table is searched.
class block_encoder final : public trace_encoder {
 public:
  block_encoder() { clear(); }

  void add(const trace_entry& e) override {
    using namespace binary_trace;
    auto& l = e.l;
    event_head h;
    h.kind = e.event == trace_event::send ? send_entry : recv_entry;
    const std::string* names[name_slots] = {&e.node, &l.type, &l.sender, &l.receiver, &l.topic};
    for (int slot = 0; slot < name_slots; ++slot)
      h.names[slot] = id_of(slot, *names[slot]);  // a new name goes before its first event
    auto w = work_.of(e.event, l);
    h.flags = (l.correlation_id != 0 ? has_correlation : 0) | (w.any() ? has_work : 0);
    h.bytes = static_cast<uint32_t>(std::min<size_t>(e.bytes, std::numeric_limits<uint32_t>::max()));
    h.time_ns = e.time_ns;
    h.send_time_ns = l.send_time_ns;
    h.sequence = l.sequence;
    h.span_id = l.trace.span_id;
    h.parent_span_id = l.trace.parent_span_id;
    std::memcpy(h.trace_id, l.trace.trace_id.data(), sizeof h.trace_id);
    put(h);
    if (l.correlation_id != 0)
      put(l.correlation_id);
    if (w.any())
      put(work_tail{w.queue_us, w.compute_us, w.batch_size, 0});
    ++events_;
  }

  size_t size() const override { return bytes_.size(); }

  std::string_view seal() override {
    if (events_ == 0)
      return {};
    binary_trace::block_head head{binary_trace::block_marker, static_cast<uint32_t>(bytes_.size()), events_, 0};
    std::memcpy(bytes_.data(), &head, sizeof head);
    return bytes_;
  }

  void clear() override {
    bytes_.assign(sizeof(binary_trace::block_head), '\0');  // its place, filled in by seal()
    events_ = 0;
    ids_.clear();
    for (auto& last : last_)
      last.known = false;
  }

 private:
  struct last_name {
    std::string text;
    uint16_t id = 0;
    bool known = false;
  };

  template <class T>
  void put(const T& v) {
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
  }

  uint16_t id_of(int slot, const std::string& name) {
    auto& last = last_[slot];
    if (last.known && last.text == name)
      return last.id;
    auto [at, added] = ids_.try_emplace(name, static_cast<uint16_t>(ids_.size()));
    if (added) {
      put(binary_trace::name_head{binary_trace::name_entry, 0, at->second, static_cast<uint32_t>(name.size())});
      bytes_.append(name);
    }
    last.text.assign(name);  // into the room the last one left
    last.id = at->second;
    last.known = true;
    return at->second;
  }

  std::string bytes_;
  uint32_t events_ = 0;
  work_reader work_;
  std::unordered_map<std::string, uint16_t> ids_;
  std::array<last_name, binary_trace::name_slots> last_;
};

// A block is written once it holds trace_block_bytes (trace_recorder::record), so it
// names fewer than 2^16: every name takes a name_head at least, and the last event adds
// at most one a slot. Its size fits its uint32_t: names come from envelopes and node
// configurations, far below 4 GiB.
static_assert(trace_block_bytes / sizeof(binary_trace::name_head) + binary_trace::name_slots <
                std::numeric_limits<uint16_t>::max(),
              "a block's names must fit their 16-bit ids");

}  // namespace

std::unique_ptr<trace_encoder> make_trace_encoder(trace_format format) {
  if (format == trace_format::binary)
    return std::make_unique<block_encoder>();
  return std::make_unique<line_encoder>();
}

}  // namespace troupe
