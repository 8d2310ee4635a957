#include "actors/runtime/trace/trace_format.hpp"

#include <cstring>

namespace troupe {

std::optional<trace_format> trace_format_of(const std::string& path) {
  auto ends_with = [&path](const std::string& suffix) {
    return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".jsonl"))
    return trace_format::jsonl;
  if (ends_with(".trace"))
    return trace_format::binary;
  return std::nullopt;
}

const char* name_of(trace_event e) {
  return e == trace_event::send ? "send" : "recv";
}

namespace binary_trace {

file_head head() {
  file_head h;
  std::memcpy(h.magic, magic, sizeof h.magic);
  h.byte_order = byte_order;
  h.version = version;
  return h;
}

std::string head_problem(const file_head& h) {
  if (std::memcmp(h.magic, magic, sizeof h.magic) != 0)
    return "no binary trace (a .trace file starts with a 16-byte head, TROUPETR…)";
  if (h.byte_order != byte_order)
    return "written in the other byte order";
  if (h.version != version)
    return "format version " + std::to_string(h.version) + ", this reader knows " + std::to_string(version);
  return {};
}

}  // namespace binary_trace

}  // namespace troupe
