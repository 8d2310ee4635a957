#include "actors/runtime/trace/trace_recorder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <string_view>
#include <cstring>
#include <map>
#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"

namespace troupe {

namespace {

constexpr size_t flush_threshold = 64 * 1024;

// A line is written by hand, not through a JSON object: a traced flood pays for every
// line on its sending thread (a tenth of nlohmann::json's cost).
void add_string(std::string& out, const char* key, std::string_view v) {
  out += '"';
  out += key;
  out += "\":\"";
  for (char c : v) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\u%04x", c);
      out += esc;
    } else {
      out += c;
    }
  }
  out += "\",";
}

template <class Int>
void add_number(std::string& out, const char* key, Int v) {
  out += '"';
  out += key;
  out += "\":";
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof(digits), v).ptr;
  out.append(digits, end);
  out += ',';
}

// Bytes as lowercase hex, most significant first, as trace_id_hex() and span_hex() write them.
void add_hex(std::string& out, const char* key, const uint8_t* bytes, size_t n) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  out += key;
  out += "\":\"";
  for (size_t i = 0; i < n; ++i) {
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0xf];
  }
  out += "\",";
}

void add_span(std::string& out, const char* key, uint64_t span) {
  uint8_t bytes[8];
  for (int i = 0; i < 8; ++i)
    bytes[i] = static_cast<uint8_t>(span >> (56 - 8 * i));
  add_hex(out, key, bytes, 8);
}

// The work a result carries (a replica's queue wait, compute time and batch), in any
// message type that has these fields: `trace export` draws them on the sender's track.
void add_work(std::string& out, const google::protobuf::Message& body) {
  auto* d = body.GetDescriptor();
  auto* r = body.GetReflection();
  for (auto* name : {"queue_us", "compute_us"})
    if (auto* f = d->FindFieldByName(name); f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64)
      if (auto v = r->GetInt64(body, f); v > 0)
        add_number(out, name, v);
  if (auto* f = d->FindFieldByName("batch_size"); f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32)
    if (auto v = r->GetUInt32(body, f); v > 0)
      add_number(out, "batch_size", v);
}

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
  if (auto why = make_parent_folder(path); !why.empty())
    throw std::runtime_error("trace file: " + why);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("cannot open trace file " + path + ": " + std::strerror(errno));
  std::shared_ptr<trace_recorder> rec(new trace_recorder(fd, sample_rate));
  registry()[path] = rec;
  return rec;
}

trace_recorder::trace_recorder(int fd, double sample_rate)
    : fd_(fd), sample_rate_(sample_rate) {}

trace_recorder::~trace_recorder() {
  flush();
  ::close(fd_);
  if (lost_ > 0)
    spdlog::error("trace: {} of {} lines could not be written", lost_, lines_);
}

bool trace_recorder::sampled(const trace_context& t) const {
  if (sample_rate_ >= 1.0)
    return true;
  uint64_t h = 0;
  for (int i = 0; i < 8; ++i)
    h = (h << 8) | t.trace_id[8 + i];
  return static_cast<double>(h) < sample_rate_ * 18446744073709551616.0;
}

void trace_recorder::record(const char* event, const std::string& node, const letter& l,
                            size_t bytes, int64_t time_ns) {
  if (!sampled(l.trace))
    return;
  thread_local std::string line;
  line.assign("{");
  add_string(line, "event", event);
  add_number(line, "time_ns", time_ns);
  add_string(line, "node", node);
  add_string(line, "type", l.type);
  add_string(line, "from", l.sender);
  add_string(line, "to", l.receiver);
  add_string(line, "topic", l.topic);
  add_number(line, "bytes", bytes);
  add_hex(line, "trace_id", l.trace.trace_id.data(), l.trace.trace_id.size());
  add_span(line, "span_id", l.trace.span_id);
  add_span(line, "parent_span_id", l.trace.parent_span_id);
  add_number(line, "seq", l.sequence);
  add_number(line, "send_time_ns", l.send_time_ns);
  if (l.correlation_id != 0)
    add_number(line, "correlation_id", l.correlation_id);
  if (l.body && std::strcmp(event, "send") == 0)
    add_work(line, *l.body);
  line.back() = '}';
  line += '\n';
  std::lock_guard<std::mutex> lock(mtx_);
  buffer_ += line;
  ++lines_;
  ++buffered_lines_;
  if (buffer_.size() >= flush_threshold)
    write_buffer();
}

void trace_recorder::write_buffer() {
  if (buffer_.empty())
    return;
  if (write_fully(fd_, buffer_) < buffer_.size()) {
    if (lost_ == 0)
      spdlog::error("trace: writing failed ({}); lost lines are counted", std::strerror(errno));
    lost_ += buffered_lines_;  // may include a partly written line: counted as lost
  }
  buffer_.clear();
  buffered_lines_ = 0;
}

void trace_recorder::flush() {
  std::lock_guard<std::mutex> lock(mtx_);
  write_buffer();
}


}  // namespace troupe
