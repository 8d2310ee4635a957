#include "actors/runtime/trace/trace_recorder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <stdexcept>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"

namespace troupe {

namespace {

constexpr size_t flush_threshold = 64 * 1024;

// The work a result carries (a replica's queue wait, compute time and batch), in any
// message type that has these fields: `trace export` draws them on the sender's track.
void add_work(nlohmann::json& j, const google::protobuf::Message& body) {
  auto* d = body.GetDescriptor();
  auto* r = body.GetReflection();
  for (auto* name : {"queue_us", "compute_us"})
    if (auto* f = d->FindFieldByName(name); f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_INT64)
      if (auto v = r->GetInt64(body, f); v > 0)
        j[name] = v;
  if (auto* f = d->FindFieldByName("batch_size"); f != nullptr && f->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_UINT32)
    if (auto v = r->GetUInt32(body, f); v > 0)
      j["batch_size"] = v;
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
  nlohmann::json j = {
    {"event", event},
    {"time_ns", time_ns},
    {"node", node},
    {"type", l.type},
    {"from", l.sender},
    {"to", l.receiver},
    {"topic", l.topic},
    {"bytes", bytes},
    {"trace_id", l.trace.trace_id_hex()},
    {"span_id", span_hex(l.trace.span_id)},
    {"parent_span_id", span_hex(l.trace.parent_span_id)},
    {"seq", l.sequence},
    {"send_time_ns", l.send_time_ns},
  };
  if (l.correlation_id != 0)
    j["correlation_id"] = l.correlation_id;
  if (l.body && std::strcmp(event, "send") == 0)
    add_work(j, *l.body);
  std::string line = j.dump();
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
  size_t done = 0;
  while (done < buffer_.size()) {
    auto n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (lost_ == 0)
        spdlog::error("trace: writing failed ({}); lost lines are counted", std::strerror(errno));
      lost_ += buffered_lines_;  // may include a partly written line: counted as lost
      break;
    }
    done += static_cast<size_t>(n);
  }
  buffer_.clear();
  buffered_lines_ = 0;
}

void trace_recorder::flush() {
  std::lock_guard<std::mutex> lock(mtx_);
  write_buffer();
}


}  // namespace troupe
