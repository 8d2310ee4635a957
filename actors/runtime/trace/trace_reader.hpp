// Reads a recorded trace in either format (trace_format.hpp), whatever the file is
// called: a binary one starts with its magic. Every event reaches the caller as the JSON
// object a `.jsonl` line holds, so `trace export` and `trace cat` read both alike.
#pragma once

#include <functional>
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace troupe {

// `event` gets each line or event in the file's order. What cannot be read arrives as a
// discarded value (`is_discarded()`), one per event lost where the file says how many,
// so that callers count it: a line that is not JSON; an event that names a name that is
// not UTF-8; the events of a block from an entry that breaks its structure on, or of a
// block the file ends inside; one for a block whose head is damaged (the reader then
// finds the next block by its marker). Returns why nothing could be read at all (a
// binary file's head cut short, of the other byte order or of another version); empty
// otherwise.
std::string read_trace(std::istream& in, const std::function<void(const nlohmann::json&)>& event);

}  // namespace troupe
