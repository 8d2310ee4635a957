#include "actors/runtime/trace/trace_recorder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"
#include "actors/runtime/trace/trace_encoder.hpp"

namespace troupe {

namespace {

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
        write_fully(fd, std::string_view(reinterpret_cast<const char*>(&head), sizeof head)) != sizeof head)
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

trace_recorder::trace_recorder(int fd, trace_format format, double sample_rate) : fd_(fd), sample_rate_(sample_rate) {
  for (auto& s : shards_)
    s.encoder = make_trace_encoder(format);
}

trace_recorder::~trace_recorder() {
  flush();
  ::close(fd_);
  uint64_t events = 0;
  for (auto& s : shards_)
    events += s.events;
  if (auto lost = lost_.load(); lost > 0)
    spdlog::error("trace: {} of {} events could not be written", lost, events);
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

void trace_recorder::record(trace_event event, const std::string& node, const letter& l, size_t bytes,
                            int64_t time_ns) {
  if (!sampled(l.trace))
    return;
  auto& s = this_threads_shard();
  std::lock_guard<std::mutex> lock(s.mtx);
  s.encoder->add({event, node, l, bytes, time_ns});
  ++s.events;
  ++s.buffered;
  if (s.encoder->size() >= trace_block_bytes)
    write_buffer(s);
}

void trace_recorder::write_buffer(shard& s) {
  auto bytes = s.encoder->seal();
  if (!bytes.empty() && write_fully(fd_, bytes) < bytes.size()) {
    if (lost_.fetch_add(s.buffered) == 0)
      spdlog::error("trace: writing failed ({}); lost events are counted", std::strerror(errno));
    // may include a partly written one: counted as lost
  }
  s.encoder->clear();
  s.buffered = 0;
}

void trace_recorder::flush() {
  for (auto& s : shards_) {
    std::lock_guard<std::mutex> lock(s.mtx);
    write_buffer(s);
  }
}

}  // namespace troupe
