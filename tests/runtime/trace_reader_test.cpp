// Either format reads back, and what cannot be read is handed on as discarded, one per
// event lost, never fatal: damage costs the rest of its block at most, and reading goes
// on at the next block; a file of another byte order or version is refused whole, saying
// why; names must be UTF-8, as a JSON line's must.
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
#include "test_support.hpp"

using namespace troupe;
using troupe::testing::troupe_cli;

namespace {

struct read_back {
  std::vector<nlohmann::json> events;
  int discarded = 0;
  std::string why;  // the whole file refused
};

read_back read_bytes(const std::string& bytes) {
  std::istringstream in(bytes);
  read_back r;
  r.why = read_trace(in, [&](const nlohmann::json& e) {
    if (e.is_discarded())
      ++r.discarded;
    else
      r.events.push_back(e);
  });
  return r;
}

// The bytes of a binary trace of `n` sends from "cam-<i>" to "sink", in `blocks` blocks
// of equal count (a recorder writes what it holds when it closes).
std::string binary_trace_of(int n, int blocks = 1, const std::string& name = "reader") {
  auto path = std::string(::testing::TempDir()) + "/" + name + ".trace";
  std::remove(path.c_str());
  letter l;
  l.type = "troupe.msg.Frame";
  l.receiver = "sink";
  for (int b = 0; b < blocks; ++b) {
    auto rec = trace_recorder::open(path, 1.0);
    for (int i = b * n / blocks; i < (b + 1) * n / blocks; ++i) {
      l.sender = "cam-" + std::to_string(i);
      l.trace.trace_id.fill(uint8_t(i));  // not random: no marker's bytes by chance
      l.trace.span_id = i + 1;
      l.sequence = i;
      rec->record(trace_event::send, "edge", l, 1000 + i, i);
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::remove(path.c_str());
  return bytes;
}

// What was read: this many unreadable, then the events of these cameras, in order.
void expect_read(const read_back& r, int discarded, const std::vector<int>& cameras) {
  EXPECT_EQ(r.discarded, discarded);
  ASSERT_EQ(r.events.size(), cameras.size());
  for (size_t i = 0; i < cameras.size(); ++i)
    EXPECT_EQ(r.events[i]["from"], "cam-" + std::to_string(cameras[i])) << i;
}

// Where camera i's event starts, for any but its block's first: right after its name
// (the other names, the same for every event, came with the block's first).
size_t event_at(const std::string& bytes, int i) {
  auto name = "cam-" + std::to_string(i);
  auto at = bytes.find(name);
  EXPECT_NE(at, std::string::npos) << name;
  return at + name.size();
}

// Where each block starts: its marker, in the writer's byte order.
std::vector<size_t> blocks_in(const std::string& bytes) {
  std::string marker(sizeof binary_trace::block_marker, '\0');
  std::memcpy(marker.data(), &binary_trace::block_marker, marker.size());
  std::vector<size_t> at;
  for (size_t i = bytes.find(marker); i != std::string::npos; i = bytes.find(marker, i + 1))
    at.push_back(i);
  return at;
}

size_t block_at(const std::string& bytes, size_t k) {
  auto at = blocks_in(bytes);
  EXPECT_LT(k, at.size());
  return k < at.size() ? at[k] : bytes.size();
}

}  // namespace

TEST(TraceReader, ABinaryTraceReadsBackEveryEventInOrderWithItsNamesWrittenOncePerBlock) {
  auto r = read_bytes(binary_trace_of(300, 3));
  EXPECT_EQ(r.discarded, 0);
  ASSERT_EQ(r.events.size(), 300u);
  for (int i = 0; i < 300; ++i) {
    EXPECT_EQ(r.events[i]["from"], "cam-" + std::to_string(i));
    EXPECT_EQ(r.events[i]["to"], "sink");
    EXPECT_EQ(r.events[i]["bytes"], 1000 + i);
    EXPECT_EQ(r.events[i]["seq"], i);
  }
  // One sender: its events are their fixed heads, and its names come once a block.
  auto path = std::string(::testing::TempDir()) + "/one-sender.trace";
  std::remove(path.c_str());
  {
    auto rec = trace_recorder::open(path, 1.0);
    letter l;
    l.type = "troupe.msg.Frame";
    l.sender = "camera-with-a-long-name";
    l.receiver = "sink";
    for (int i = 0; i < 5000; ++i)  // over several blocks
      rec->record(trace_event::send, "edge", l, 1000, i);
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(blocks_in(bytes).size(), 6u);  // 5000 events of 72 bytes, 64 KiB at a time
  EXPECT_LT(bytes.size(), 5000 * (sizeof(binary_trace::event_head) + 1));
  r = read_bytes(bytes);
  EXPECT_EQ(r.discarded, 0);
  ASSERT_EQ(r.events.size(), 5000u);
  EXPECT_EQ(r.events[4999]["from"], "camera-with-a-long-name");
  EXPECT_EQ(r.events[4999]["time_ns"], 4999);
}

TEST(TraceReader, AnEntryThatBreaksItsBlockCostsTheRestOfThatBlockOnly) {
  auto bytes = binary_trace_of(10, 2);
  auto unknown_kind = bytes;
  unknown_kind[event_at(bytes, 2)] = 7;
  expect_read(read_bytes(unknown_kind), 3, {0, 1, 5, 6, 7, 8, 9});
  auto undefined_name = bytes;
  undefined_name[event_at(bytes, 8) + 2] = 99;  // its node's id
  expect_read(read_bytes(undefined_name), 2, {0, 1, 2, 3, 4, 5, 6, 7});
  auto unknown_flag = bytes;
  unknown_flag[event_at(bytes, 3) + 1] |= 0x80;
  expect_read(read_bytes(unknown_flag), 2, {0, 1, 2, 5, 6, 7, 8, 9});
}

TEST(TraceReader, ABlockThatHoldsOtherThanTheEventsItDeclaresLosesWhatIsMissing) {
  auto bytes = binary_trace_of(10, 2);
  auto fewer = bytes;
  fewer[block_at(bytes, 0) + 8] = 4;  // its count: the fifth event is bytes after the last
  expect_read(read_bytes(fewer), 1, {0, 1, 2, 3, 5, 6, 7, 8, 9});
  auto more = bytes;
  more[block_at(bytes, 0) + 8] = 6;
  expect_read(read_bytes(more), 1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  auto absurd = bytes;  // more than a writer puts in a block: the head is not believed
  absurd[block_at(bytes, 0) + 11] = 1;
  expect_read(read_bytes(absurd), 1, {5, 6, 7, 8, 9});
}

TEST(TraceReader, AWholeBlockIsReadWhateverFollowsIt) {
  auto bytes = binary_trace_of(10, 2);
  bytes.insert(block_at(bytes, 1), "\x01\x02\x03");  // a torn write between them
  expect_read(read_bytes(bytes), 1, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST(TraceReader, ADamagedBlockHeadCostsItsBlockAndReadingGoesOnAtTheNext) {
  auto bytes = binary_trace_of(15, 3);
  auto marker = bytes;
  marker[block_at(bytes, 0)] ^= 0x5a;
  expect_read(read_bytes(marker), 1, {5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
  auto size = bytes;
  size[block_at(bytes, 1) + 4] ^= 0x01;  // the next block is no longer where it says
  expect_read(read_bytes(size), 5, {0, 1, 2, 3, 4, 10, 11, 12, 13, 14});
}

TEST(TraceReader, ABlockCutShortInTheMiddleCostsItselfOnly) {
  auto bytes = binary_trace_of(15, 3);
  bytes.erase(event_at(bytes, 7) + 10, 20);
  expect_read(read_bytes(bytes), 5, {0, 1, 2, 3, 4, 10, 11, 12, 13, 14});
}

TEST(TraceReader, ATruncatedEndCostsTheEventsOfItsLastBlock) {
  auto bytes = binary_trace_of(10, 2);
  ASSERT_EQ(blocks_in(bytes).size(), 2u);
  size_t last = block_at(bytes, 1);
  for (size_t cut : {size_t(1), size_t(20), size_t(200), bytes.size() - last - 1}) {
    auto r = read_bytes(bytes.substr(0, last + cut));
    EXPECT_EQ(r.events.size(), 5u) << cut;
    EXPECT_EQ(r.discarded, cut < sizeof(binary_trace::block_head) ? 1 : 5) << cut;
  }
  auto head_cut = read_bytes(bytes.substr(0, 10));  // not even the file head
  EXPECT_EQ(head_cut.discarded, 0);
  EXPECT_NE(head_cut.why.find("head"), std::string::npos) << head_cut.why;
}

TEST(TraceReader, AFileOfAnotherByteOrderOrVersionIsRefusedWhole) {
  auto bytes = binary_trace_of(3);
  auto other_order = bytes;
  std::swap(other_order[8], other_order[11]);  // the byte-order word, as the other order writes it
  std::swap(other_order[9], other_order[10]);
  auto r = read_bytes(other_order);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.discarded, 0);
  EXPECT_NE(r.why.find("byte order"), std::string::npos) << r.why;
  auto older = bytes;
  older[12] = 1;  // the version: 1 had records of their own names, not blocks
  r = read_bytes(older);
  EXPECT_TRUE(r.events.empty());
  EXPECT_NE(r.why.find("version 1"), std::string::npos) << r.why;
  EXPECT_TRUE(read_bytes(bytes).why.empty());
}

TEST(TraceReader, AnEventThatNamesANameThatIsNotUtf8IsUnreadableAlone) {
  auto bytes = binary_trace_of(3);
  size_t from = bytes.find("cam-1");
  // "am-1" becomes: not a lead byte; overlong; a surrogate; past U+10FFFF; cut short.
  for (const char* bad : {"\xffxxx", "\xc0\x80xx", "\xed\xa0\x80x", "\xf4\x90\x80\x80", "xx\xe2\x82"}) {
    auto damaged = bytes;
    damaged.replace(from + 1, 4, bad);
    expect_read(read_bytes(damaged), 1, {0, 2});
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
  auto bytes = binary_trace_of(20, 2);
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

TEST(TraceCli, CatPrintsJsonLinesAndARefusedFileExitsOneWritingNothing) {
  auto dir = std::string(::testing::TempDir());
  auto bytes = binary_trace_of(4);
  std::ofstream(dir + "/cli-good.trace", std::ios::binary) << bytes;
  auto cat = troupe_cli("trace cat " + dir + "/cli-good.trace");
  ASSERT_EQ(cat.status, 0) << cat.output;
  std::istringstream lines(cat.output);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n)
    EXPECT_EQ(nlohmann::json::parse(line)["from"], "cam-" + std::to_string(n)) << line;
  EXPECT_EQ(n, 4);

  bytes[12] = 9;  // a version this reader does not know
  std::ofstream(dir + "/cli-newer.trace", std::ios::binary) << bytes;
  auto refused = troupe_cli("trace cat " + dir + "/cli-newer.trace");
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("format version 9"), std::string::npos) << refused.output;
  std::remove((dir + "/cli-newer.json").c_str());
  auto exported = troupe_cli("trace export " + dir + "/cli-newer.trace -o " + dir + "/cli-newer.json");
  EXPECT_EQ(exported.status, 1);
  EXPECT_NE(exported.output.find("nothing written"), std::string::npos) << exported.output;
  EXPECT_FALSE(std::ifstream(dir + "/cli-newer.json").good());

  EXPECT_EQ(troupe_cli("trace --nats nats://127.0.0.1:1 --record " + dir + "/tail.txt").status, 2);
}
