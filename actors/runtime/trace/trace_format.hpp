// The two formats a trace file is written in, chosen by its name: `.jsonl` is one JSON
// object per line (readable with any tool), `.trace` is binary records copied as they
// are, at about half the cost and 0.56x the bytes (docs/benchmarks.md: a traced 1 KB
// flood at 0.88x of an untraced one, against 0.83x). `troupe trace cat` turns a `.trace`
// into the same JSON lines.
//
// A binary file is a file_head, then records: a record_head and its six names (event,
// node, type, from, to, topic) back to back. Byte order is the writer's; the head's
// byte_order word tells a reader of the other order that it cannot read the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace troupe {

enum class trace_format { jsonl, binary };

// The format a trace file's name asks for; nothing for a name that asks for neither.
std::optional<trace_format> trace_format_of(const std::string& path);

namespace binary_trace {

inline constexpr char magic[8] = {'T', 'R', 'O', 'U', 'P', 'E', 'T', 'R'};
inline constexpr uint32_t byte_order = 0x01020304;
inline constexpr uint32_t version = 1;
// Starts every record: a reader that meets a damaged record finds the next one by it.
inline constexpr uint32_t record_marker = 0x9e3779b9;
inline constexpr int names = 6;  // event, node, type, from, to, topic

struct file_head {
  char magic[8];
  uint32_t byte_order;
  uint32_t version;
};

struct record_head {
  uint32_t marker;
  uint32_t size;  // the whole record: this head and its names
  int64_t time_ns;
  int64_t send_time_ns;
  uint64_t bytes;
  uint64_t sequence;
  uint64_t correlation_id;  // 0: none
  uint64_t span_id;
  uint64_t parent_span_id;
  int64_t queue_us;  // a result's work, on its send; 0: none
  int64_t compute_us;
  uint32_t batch_size;
  uint32_t name_bytes[names];
  uint8_t trace_id[16];
};
static_assert(sizeof(file_head) == 16 && sizeof(record_head) == 128, "the layout is the file format");

// The head this writer puts first in a file.
file_head head();
// Why a file with this head cannot be read or appended to here; empty when it can.
std::string head_problem(const file_head& h);

}  // namespace binary_trace

}  // namespace troupe
