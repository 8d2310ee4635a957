// Records envelopes, one event per send and per delivery, sampled per trace so that a
// sampled trace is complete: as JSON lines or binary blocks, as the file's name asks
// (trace_format.hpp). Several nodes of one process share a recorder per file; nodes in
// other processes append to the same file whole lines or blocks at a time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "actors/runtime/letter.hpp"
#include "actors/runtime/trace/trace_format.hpp"

namespace troupe {

class trace_encoder;

class trace_recorder {
 public:
  // Shared per path within a process. sample_rate in [0, 1]. Throws when the path names
  // neither format or holds a file of the other one.
  static std::shared_ptr<trace_recorder> open(const std::string& path, double sample_rate);
  ~trace_recorder();

  bool sampled(const trace_context& t) const;
  // time_ns is when the event happened on `node`.
  void record(trace_event event, const std::string& node, const letter& l, size_t bytes, int64_t time_ns);
  void flush();

 private:
  // Events gather per thread group, not in one buffer: a sender and a receiver tracing a
  // flood each took one lock per event, and waking each other cost three times the event.
  // A file therefore holds runs of events in each thread's order, not one global order.
  // Each thread keeps to one of shards_ (thread n to n mod 16).
  struct shard {
    std::mutex mtx;
    std::unique_ptr<trace_encoder> encoder;  // in the file's format
    uint64_t buffered = 0;                   // events it holds
    uint64_t events = 0;
  };

  trace_recorder(int fd, trace_format format, double sample_rate);
  shard& this_threads_shard();
  void write_buffer(shard& s);  // with s.mtx held

  int fd_;
  double sample_rate_;
  std::array<shard, 16> shards_;
  std::atomic<uint64_t> lost_{0};
};

}  // namespace troupe
