// The two formats a trace file is written in, chosen by its name: `.jsonl` is one JSON
// object per line (readable with any tool), `.trace` is binary blocks of fixed-size
// events whose names are written once per block (docs/benchmarks.md, "Blocks, names
// once": 0.41x the bytes, 0.3x the instructions of a line). `troupe trace cat` turns a
// `.trace` into the same JSON lines.
//
// A binary file is a file_head, then blocks, each the buffer of one group of threads,
// written by one write() (a short write, on a full disk, leaves a torn block): a
// block_head, then entries. An entry is a name, which gets the next id of its block, or
// an event, which names its node, type, from, to and topic by those ids. A block needs
// nothing before it, so nodes of several processes append whole blocks to one file and
// a reader that meets a damaged block finds the next one by its marker. Byte order is
// the writer's; the head's byte_order word tells a reader of the other order that it
// cannot read the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace troupe {

enum class trace_format { jsonl, binary };

// A recorder writes a thread group's buffer once it holds this much: a binary block is
// this size and one event more at most (its names come once per block).
inline constexpr size_t trace_block_bytes = 64 * 1024;

// The format a trace file's name asks for; nothing for a name that asks for neither.
std::optional<trace_format> trace_format_of(const std::string& path);

// What happened to a letter where it was recorded.
enum class trace_event : uint8_t { send, recv };
const char* name_of(trace_event e);

namespace binary_trace {

inline constexpr char magic[8] = {'T', 'R', 'O', 'U', 'P', 'E', 'T', 'R'};
inline constexpr uint32_t byte_order = 0x01020304;
inline constexpr uint32_t version = 2;
// Starts every block: a reader that meets a damaged block finds the next one by it.
inline constexpr uint32_t block_marker = 0x9e3779b9;

struct file_head {
  char magic[8];
  uint32_t byte_order;
  uint32_t version;
};

struct block_head {
  uint32_t marker;
  uint32_t size;    // the whole block: this head and its entries
  uint32_t events;  // how many event entries it holds (names are not counted)
  uint32_t reserved;
};

// The first byte of each entry.
enum entry_kind : uint8_t { name_entry = 1, send_entry = 2, recv_entry = 3 };

// Followed by `bytes` of UTF-8. Ids count from 0 in each block, in the order names come.
struct name_head {
  uint8_t kind;  // name_entry
  uint8_t reserved;
  uint16_t id;
  uint32_t bytes;
};

enum event_flags : uint8_t { has_correlation = 1, has_work = 2 };
enum name_slot { node_name, type_name, from_name, to_name, topic_name, name_slots };

// Followed by a uint64_t correlation id when has_correlation, then a work_tail when
// has_work (a result's work, on its send).
struct event_head {
  uint8_t kind;   // send_entry or recv_entry
  uint8_t flags;  // event_flags
  uint16_t names[name_slots];
  uint32_t bytes;  // of the envelope (a NATS payload is at most 64 MiB)
  int64_t time_ns;
  int64_t send_time_ns;
  uint64_t sequence;
  uint64_t span_id;
  uint64_t parent_span_id;
  uint8_t trace_id[16];
};

struct work_tail {
  int64_t queue_us;
  int64_t compute_us;
  uint32_t batch_size;
  uint32_t reserved;
};

// The most events a writer puts in a block: a reader believes no head that claims more.
inline constexpr uint32_t most_events = trace_block_bytes / sizeof(event_head) + 1;

static_assert(sizeof(file_head) == 16 && sizeof(block_head) == 16 && sizeof(name_head) == 8 &&
                sizeof(event_head) == 72 && sizeof(work_tail) == 24,
              "the layout is the file format");

// The head this writer puts first in a file.
file_head head();
// Why a file with this head cannot be read or appended to here; empty when it can.
std::string head_problem(const file_head& h);

}  // namespace binary_trace

}  // namespace troupe
