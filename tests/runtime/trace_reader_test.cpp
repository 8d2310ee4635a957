// Either format reads back, and what cannot be read is handed on as discarded, never
// fatal: a damaged record costs that record only, a truncated end one event, a file of
// another byte order one event; a record's names must be UTF-8, as a JSON line's must.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/runtime/trace/trace_export.hpp"
#include "actors/runtime/trace/trace_format.hpp"
#include "actors/runtime/trace/trace_reader.hpp"
#include "actors/runtime/trace/trace_recorder.hpp"

using namespace troupe;

namespace {

struct read_back {
  std::vector<nlohmann::json> events;
  int discarded = 0;
};

read_back read_bytes(const std::string& bytes) {
  std::istringstream in(bytes);
  read_back r;
  read_trace(in, [&](const nlohmann::json& e) {
    if (e.is_discarded())
      ++r.discarded;
    else
      r.events.push_back(e);
  });
  return r;
}

// The bytes of a binary trace of `n` sends from "cam-<i>" to "sink".
std::string binary_trace_of(int n, const std::string& name = "reader") {
  auto path = std::string(::testing::TempDir()) + "/" + name + ".trace";
  std::remove(path.c_str());
  {
    auto rec = trace_recorder::open(path, 1.0);
    letter l;
    l.type = "troupe.msg.Frame";
    l.receiver = "sink";
    for (int i = 0; i < n; ++i) {
      l.sender = "cam-" + std::to_string(i);
      l.trace = trace_context::root();
      l.sequence = i;
      rec->record("send", "edge", l, 1000 + i, i);
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return bytes;
}

// Where record i starts: the file head, then records of equal size.
size_t record_at(const std::string& bytes, int i, int n) {
  size_t each = (bytes.size() - sizeof(binary_trace::file_head)) / n;
  return sizeof(binary_trace::file_head) + each * i;
}

}  // namespace

TEST(TraceReader, ABinaryTraceReadsBackEveryRecordInOrder) {
  auto r = read_bytes(binary_trace_of(300));
  EXPECT_EQ(r.discarded, 0);
  ASSERT_EQ(r.events.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(r.events[i]["from"], "cam-" + std::to_string(i));
    EXPECT_EQ(r.events[i]["bytes"], 1000 + i);
    EXPECT_EQ(r.events[i]["seq"], i);
  }
}

TEST(TraceReader, ADamagedRecordCostsItselfOnly) {
  auto bytes = binary_trace_of(10);
  bytes[record_at(bytes, 4, 10)] ^= 0x5a;      // record 4's marker
  bytes[record_at(bytes, 7, 10) + 4] ^= 0x01;  // record 7's size
  auto r = read_bytes(bytes);
  EXPECT_EQ(r.discarded, 2);
  ASSERT_EQ(r.events.size(), 8u);
  EXPECT_EQ(r.events[4]["from"], "cam-5");
  EXPECT_EQ(r.events[6]["from"], "cam-8");
}

TEST(TraceReader, ATruncatedLastRecordIsOneUnreadableEvent) {
  auto bytes = binary_trace_of(5);
  for (size_t cut : {size_t(1), size_t(20), sizeof(binary_trace::record_head) + 3}) {
    auto r = read_bytes(bytes.substr(0, record_at(bytes, 4, 5) + cut));
    EXPECT_EQ(r.events.size(), 4u) << cut;
    EXPECT_EQ(r.discarded, 1) << cut;
  }
  EXPECT_EQ(read_bytes(bytes.substr(0, 10)).discarded, 1);  // not even the file head
}

TEST(TraceReader, AFileOfAnotherByteOrderOrVersionIsOneUnreadableEvent) {
  auto bytes = binary_trace_of(3);
  std::swap(bytes[8], bytes[11]);  // the byte-order word, as the other order writes it
  std::swap(bytes[9], bytes[10]);
  auto r = read_bytes(bytes);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.discarded, 1);
}

TEST(TraceReader, ARecordWhoseNameIsNotUtf8IsUnreadable) {
  auto bytes = binary_trace_of(3);
  // The names follow the head: event "send", node "edge", type, then from "cam-1".
  size_t from = record_at(bytes, 1, 3) + sizeof(binary_trace::record_head) + 4 + 4 + std::strlen("troupe.msg.Frame");
  ASSERT_EQ(bytes.substr(from, 5), "cam-1");
  // "m-1" becomes: not a lead byte; overlong; a surrogate; past U+10FFFF; cut short.
  for (const char* bad : {"\xffxx", "\xc0\x80x", "\xed\xa0\x80", "\xf4\x90\x80", "x\xe2\x82"}) {
    auto damaged = bytes;
    damaged.replace(from + 2, 3, bad);
    auto r = read_bytes(damaged);
    EXPECT_EQ(r.discarded, 1) << bad;
    EXPECT_EQ(r.events.size(), 2u) << bad;
  }
  auto accented = bytes;
  accented.replace(from + 2, 3, "\xc3\xa9x");
  auto r = read_bytes(accented);
  EXPECT_EQ(r.discarded, 0);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.events[1]["from"], "ca\xc3\xa9x");
}

TEST(TraceReader, JsonLinesOfAnyLengthReadAsBefore) {
  auto r = read_bytes("{}\n\n{\"a\":1}\nnot json\n{\"b\":2}");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.discarded, 1);
  EXPECT_EQ(r.events[1]["a"], 1);
  EXPECT_EQ(r.events[2]["b"], 2);
  EXPECT_EQ(read_bytes("{\"a\":1}").events.size(), 1u);  // shorter than the magic, no newline
  EXPECT_TRUE(read_bytes("").events.empty());
}

TEST(TraceReader, ExportReadsABinaryTraceAsItsJsonLines) {
  auto bytes = binary_trace_of(20);
  std::string lines;
  for (auto& e : read_bytes(bytes).events)
    lines += e.dump() + "\n";
  export_summary from_binary, from_lines;
  std::istringstream b(bytes), l(lines);
  EXPECT_EQ(export_chrome_trace(b, from_binary), export_chrome_trace(l, from_lines));
  EXPECT_EQ(from_binary.lines, 20u);
  EXPECT_EQ(from_binary.skipped, 0u);
  EXPECT_EQ(from_binary.messages, from_lines.messages);
}
