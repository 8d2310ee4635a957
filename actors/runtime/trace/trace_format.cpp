#include "actors/runtime/trace/trace_format.hpp"

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

}  // namespace troupe
