// Records envelopes to JSONL, one line per send and per delivery, sampled per trace
// so that a sampled trace is complete. Several nodes of one process share a recorder
// per file; nodes in other processes append to the same file whole lines at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "actors/runtime/letter.hpp"

namespace troupe {

class trace_recorder {
 public:
  // Shared per path within a process. sample_rate in [0, 1].
  static std::shared_ptr<trace_recorder> open(const std::string& path, double sample_rate);
  ~trace_recorder();

  bool sampled(const trace_context& t) const;
  // event is "send" or "recv"; time_ns is when it happened on `node`.
  void record(const char* event, const std::string& node, const letter& l, size_t bytes,
              int64_t time_ns);
  void flush();

 private:
  trace_recorder(int fd, double sample_rate);
  int fd_;
  double sample_rate_;
  mutable std::mutex mtx_;
  void write_buffer();  // with mtx_ held
  std::string buffer_;
  uint64_t buffered_lines_ = 0;
  uint64_t lines_ = 0;
  uint64_t lost_ = 0;
};

}  // namespace troupe
