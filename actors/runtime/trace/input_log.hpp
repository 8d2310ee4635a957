// What each actor of a node received, in order, kept for `troupe replay` (`troupe run
// --record DIR`): one file per node, `DIR/<node>.inputs`, of records
//   u32 record bytes | i64 deployment time ns | u16 actor name bytes | name | envelope
// (little-endian; the envelope as it travels on the bus, body and trace context
// included). A letter published to a topic is recorded once per local subscriber.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "actors/runtime/letter.hpp"

namespace troupe {

class input_log {
 public:
  // Throws std::runtime_error when the file cannot be made.
  explicit input_log(const std::string& path);
  ~input_log();  // writes what is buffered
  input_log(const input_log&) = delete;
  input_log& operator=(const input_log&) = delete;

  void received(const std::string& actor, const letter& l, int64_t time_ns);
  void flush();

 private:
  void write_buffer();  // with mtx_ held

  std::string path_;
  int fd_ = -1;
  std::mutex mtx_;
  std::string buffer_;
  uint64_t lost_ = 0;
};

struct recorded_input {
  int64_t time_ns = 0;
  std::string actor;  // who received it
  letter in;
};

// Every record of a file, in order; throws std::runtime_error naming the file and the
// offset of a record that is cut short or does not decode.
std::vector<recorded_input> read_input_log(const std::string& path);
// Every record of a recording's folder (`troupe run --record DIR`), node after node;
// throws std::runtime_error when DIR holds no input logs.
std::vector<recorded_input> read_recording(const std::string& dir);

}  // namespace troupe
