#include "actors/runtime/trace/trace_recorder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>
#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"

namespace troupe {

namespace {

constexpr size_t flush_threshold = 64 * 1024;
constexpr char hex_digits[] = "0123456789abcdef";

// A line is written by hand, not through a JSON object, straight into a buffer sized
// beforehand: a traced flood pays for every line on its sending and delivering threads.
class line_writer {
 public:
  line_writer(std::string& out, size_t at_most) : out_(out), at_(out.size()) {
    out_.resize(at_ + at_most);
    p_ = out_.data() + at_;
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
  size_t at_;
  char* p_;
};

// The work a result carries (a replica's queue wait, compute time and batch), in any
// message type that has these fields: `trace export` draws them on the sender's track.
// Fields are looked up once per type and thread (descriptors of the generated pool live
// as long as the process).
struct work_fields {
  const google::protobuf::Descriptor* type = nullptr;
  const google::protobuf::FieldDescriptor* queue_us = nullptr;
  const google::protobuf::FieldDescriptor* compute_us = nullptr;
  const google::protobuf::FieldDescriptor* batch_size = nullptr;
};

const google::protobuf::FieldDescriptor* field_of(const google::protobuf::Descriptor* d, const char* name,
                                                  google::protobuf::FieldDescriptor::CppType type) {
  auto* f = d->FindFieldByName(name);
  return f != nullptr && f->cpp_type() == type && !f->is_repeated() ? f : nullptr;
}

const work_fields& work_fields_of(const google::protobuf::Descriptor* d) {
  using google::protobuf::FieldDescriptor;
  thread_local work_fields last;
  if (last.type != d)
    last = {d, field_of(d, "queue_us", FieldDescriptor::CPPTYPE_INT64),
            field_of(d, "compute_us", FieldDescriptor::CPPTYPE_INT64),
            field_of(d, "batch_size", FieldDescriptor::CPPTYPE_UINT32)};
  return last;
}

// The work a result's send carries; zeros for any other event or body.
struct work_done {
  int64_t queue_us = 0, compute_us = 0;
  uint32_t batch_size = 0;
};

work_done work_of(const char* event, const letter& l) {
  if (!l.body || std::strcmp(event, "send") != 0)
    return {};
  auto& body = *l.body;
  auto& f = work_fields_of(body.GetDescriptor());
  auto* r = body.GetReflection();
  work_done w;
  if (f.queue_us != nullptr)
    w.queue_us = r->GetInt64(body, f.queue_us);
  if (f.compute_us != nullptr)
    w.compute_us = r->GetInt64(body, f.compute_us);
  if (f.batch_size != nullptr)
    w.batch_size = r->GetUInt32(body, f.batch_size);
  return w;
}

void append_jsonl(std::string& out, const char* event, const std::string& node, const letter& l, size_t bytes,
                  int64_t time_ns) {
  line_writer line(out, line_writer::at_most(node, l));
  line.raw("{\"event\":");
  line.string(event);
  line.raw(",\"time_ns\":");
  line.number(time_ns);
  line.raw(",\"node\":");
  line.string(node);
  line.raw(",\"type\":");
  line.string(l.type);
  line.raw(",\"from\":");
  line.string(l.sender);
  line.raw(",\"to\":");
  line.string(l.receiver);
  line.raw(",\"topic\":");
  line.string(l.topic);
  line.raw(",\"bytes\":");
  line.number(bytes);
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
  auto w = work_of(event, l);
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

// The same event as a binary record (trace_format.hpp): copied, not formatted.
void append_binary(std::string& out, const char* event, const std::string& node, const letter& l, size_t bytes,
                   int64_t time_ns) {
  const std::string_view names[binary_trace::names] = {event, node, l.type, l.sender, l.receiver, l.topic};
  binary_trace::record_head h;
  std::memset(&h, 0, sizeof h);  // its padding too: nothing of the stack goes to the file
  h.marker = binary_trace::record_marker;
  size_t size = sizeof h;
  for (int i = 0; i < binary_trace::names; ++i) {
    h.name_bytes[i] = static_cast<uint32_t>(names[i].size());
    size += names[i].size();
  }
  h.size = static_cast<uint32_t>(size);
  h.time_ns = time_ns;
  h.send_time_ns = l.send_time_ns;
  h.bytes = bytes;
  h.sequence = l.sequence;
  h.correlation_id = l.correlation_id;
  h.span_id = l.trace.span_id;
  h.parent_span_id = l.trace.parent_span_id;
  auto w = work_of(event, l);
  h.queue_us = w.queue_us;
  h.compute_us = w.compute_us;
  h.batch_size = w.batch_size;
  std::memcpy(h.trace_id, l.trace.trace_id.data(), sizeof h.trace_id);
  out.append(reinterpret_cast<const char*>(&h), sizeof h);
  for (auto& n : names)
    out.append(n);
}

// A file already there must hold the format its name asks for (a binary file's head is
// written by whoever finds it empty, under a lock: nodes of several processes share one).
void start_or_check(int fd, trace_format format, const std::string& path) {
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }  // without a lock (a filesystem with none) two first writers could both write a head
  struct stat st {};
  std::string why;
  if (::fstat(fd, &st) != 0) {
    why = std::strerror(errno);
  } else if (st.st_size == 0) {
    auto head = binary_trace::head();
    if (format == trace_format::binary &&
        write_fully(fd, std::string(reinterpret_cast<const char*>(&head), sizeof head)) != sizeof head)
      why = std::string("cannot write its head: ") + std::strerror(errno);
  } else {
    binary_trace::file_head head{};
    if (::pread(fd, &head, sizeof head, 0) != sizeof head)
      head = {};  // too short to hold a head
    bool binary = std::memcmp(head.magic, binary_trace::magic, sizeof head.magic) == 0;
    if (binary != (format == trace_format::binary))
      why = binary ? "it holds binary records, not JSON lines (name it .trace)"
                   : "it holds " + binary_trace::head_problem(head);
    else if (binary)
      why = binary_trace::head_problem(head);
  }
  ::flock(fd, LOCK_UN);  // (fails harmlessly where the lock did)
  if (!why.empty()) {
    ::close(fd);
    throw std::runtime_error("trace file " + path + ": " + why);
  }
}

std::atomic<unsigned> next_thread_slot{0};

std::mutex registry_mtx;
std::map<std::string, std::weak_ptr<trace_recorder>>& registry() {
  static std::map<std::string, std::weak_ptr<trace_recorder>> recorders;
  return recorders;
}

}  // namespace

std::shared_ptr<trace_recorder> trace_recorder::open(const std::string& path,
                                                     double sample_rate) {
  std::lock_guard<std::mutex> lock(registry_mtx);
  if (auto existing = registry()[path].lock())
    return existing;
  auto format = trace_format_of(path);
  if (!format)
    throw std::runtime_error("trace file " + path + ": name it .trace (binary) or .jsonl (JSON lines)");
  if (auto why = make_parent_folder(path); !why.empty())
    throw std::runtime_error("trace file: " + why);
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot open trace file " + path + ": " + std::strerror(errno));
  start_or_check(fd, *format, path);
  std::shared_ptr<trace_recorder> rec(new trace_recorder(fd, *format, sample_rate));
  registry()[path] = rec;
  return rec;
}

trace_recorder::trace_recorder(int fd, trace_format format, double sample_rate)
    : fd_(fd), sample_rate_(sample_rate), append_(format == trace_format::binary ? append_binary : append_jsonl) {}

trace_recorder::~trace_recorder() {
  flush();
  ::close(fd_);
  uint64_t lines = 0;
  for (auto& s : shards_)
    lines += s.lines;
  if (auto lost = lost_.load(); lost > 0)
    spdlog::error("trace: {} of {} lines could not be written", lost, lines);
}

bool trace_recorder::sampled(const trace_context& t) const {
  if (sample_rate_ >= 1.0)
    return true;
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i)
    h = (h << 8) | t.trace_id[8 + i];
  return static_cast<double>(h) < sample_rate_ * 18446744073709551616.0;
}

trace_recorder::shard& trace_recorder::this_threads_shard() {
  thread_local const unsigned slot = next_thread_slot++;
  return shards_[slot % shards_.size()];
}

void trace_recorder::record(const char* event, const std::string& node, const letter& l,
                            size_t bytes, int64_t time_ns) {
  if (!sampled(l.trace))
    return;
  auto& s = this_threads_shard();
  std::lock_guard<std::mutex> lock(s.mtx);
  append_(s.buffer, event, node, l, bytes, time_ns);
  ++s.lines;
  ++s.buffered_lines;
  if (s.buffer.size() >= flush_threshold)
    write_buffer(s);
}

void trace_recorder::write_buffer(shard& s) {
  if (s.buffer.empty())
    return;
  if (write_fully(fd_, s.buffer) < s.buffer.size()) {
    if (lost_.fetch_add(s.buffered_lines) == 0)
      spdlog::error("trace: writing failed ({}); lost lines are counted", std::strerror(errno));
    // may include a partly written line: counted as lost
  }
  s.buffer.clear();
  s.buffered_lines = 0;
}

void trace_recorder::flush() {
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mtx);
    write_buffer(s);
  }
}

}  // namespace troupe
