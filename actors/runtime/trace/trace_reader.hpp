// Reads a recorded trace in either format (trace_format.hpp), whatever the file is
// called: a binary one starts with its magic. Every event reaches the caller as the JSON
// object a `.jsonl` line holds, so `trace export` and `trace cat` read both alike.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace troupe {

// `event` gets each line or record in the file's order. A line that is not JSON, a
// damaged record (the reader then finds the next one by its marker) or a truncated last
// record arrives as a discarded value (`is_discarded()`), so that callers count what they
// could not read. Returns why no record could be read at all (a binary file's head cut
// short, of the other byte order or of another version); empty otherwise.
std::string read_trace(std::istream& in, const std::function<void(const nlohmann::json&)>& event);

}  // namespace troupe
