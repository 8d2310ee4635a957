// How a recorded event becomes bytes of a trace file, in the file's format
// (trace_format.hpp). The recorder keeps an encoder per thread group and writes what it
// holds, whole, once it is large enough: a JSON encoder holds lines, a binary one a block.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "actors/runtime/letter.hpp"
#include "actors/runtime/trace/trace_format.hpp"

namespace troupe {

// One send or delivery of a letter, where and when it happened.
struct trace_entry {
  trace_event event;
  const std::string& node;
  const letter& l;
  size_t bytes;
  int64_t time_ns;
};

class trace_encoder {
 public:
  virtual ~trace_encoder() = default;
  virtual void add(const trace_entry& e) = 0;
  // Bytes held so far.
  virtual size_t size() const = 0;
  // What to write, whole (nothing when no event was added); then clear() starts anew.
  virtual std::string_view seal() = 0;
  virtual void clear() = 0;
};

std::unique_ptr<trace_encoder> make_trace_encoder(trace_format format);

}  // namespace troupe
