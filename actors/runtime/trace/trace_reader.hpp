// Reads a recorded trace in either format (trace_format.hpp), whatever the file is
// called: a binary one starts with its magic. Every event reaches the caller as the JSON
// object a `.jsonl` line holds, so `trace export` and `trace cat` read both alike.
#pragma once

#include <functional>
#include <istream>

#include <nlohmann/json.hpp>

namespace troupe {

// `event` gets each line or record in the file's order. A line that is not JSON, a
// damaged record (the reader then finds the next one by its marker), a truncated last
// record, or a binary file of another byte order arrives as a discarded value
// (`is_discarded()`), so that callers count what they could not read.
void read_trace(std::istream& in, const std::function<void(const nlohmann::json&)>& event);

}  // namespace troupe
