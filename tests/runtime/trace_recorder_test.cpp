// The trace recorder writes one JSON line per event by hand (for speed): names are
// escaped, numbers exact, a result's work fields on its send only. A `.trace` file holds
// the same events in binary blocks, read back as the same JSON.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/runtime/trace/trace_reader.hpp"
#include "actors/runtime/trace/trace_recorder.hpp"
#include "troupe/messages/vision.pb.h"

using namespace troupe;

namespace {

// The events read back; none may be unreadable.
std::vector<nlohmann::json> events_in(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<nlohmann::json> events;
  read_trace(in, [&](const nlohmann::json& e) {
    EXPECT_FALSE(e.is_discarded()) << path;
    events.push_back(e);
  });
  return events;
}

// A result with its work, sent and received, to `path`.
void record_a_result(const std::string& path) {
  auto rec = trace_recorder::open(path, 1.0);
  letter l;
  l.type = "troupe.msg.Detections";
  l.sender = "cam \"1\"\\\n\x01";
  l.receiver = "sink";
  l.sequence = 18446744073709551615ull;
  l.send_time_ns = -5;
  l.correlation_id = 9;
  l.trace.span_id = 0xabc;
  l.trace.parent_span_id = 0xf00000000000000dull;
  for (size_t i = 0; i < l.trace.trace_id.size(); ++i)
    l.trace.trace_id[i] = uint8_t(i * 17);
  auto d = std::make_shared<msg::Detections>();
  d->set_queue_us(12);
  d->set_compute_us(34);
  d->set_batch_size(2);
  l.body = d;
  rec->record(trace_event::send, "edge", l, 100, 42);
  rec->record(trace_event::recv, "server", l, 100, 43);
  l.correlation_id = 0;
  l.receiver.clear();
  l.topic = "détections";
  rec->record(trace_event::recv, "server", l, 7, 44);
  // A body of another type has no work; the work of the next result is read again.
  l.body = std::make_shared<msg::Region>();
  rec->record(trace_event::send, "edge", l, 8, 45);
  l.body = d;
  rec->record(trace_event::send, "edge", l, 9, 46);
}

}  // namespace

TEST(TraceRecorder, WritesOneJsonLinePerEventWithNamesEscapedAndWorkOnTheSend) {
  auto path = std::string(::testing::TempDir()) + "/trace-recorder-test.jsonl";
  std::remove(path.c_str());
  record_a_result(path);
  trace_context t;
  for (size_t i = 0; i < t.trace_id.size(); ++i)
    t.trace_id[i] = uint8_t(i * 17);
  auto trace_hex = t.trace_id_hex();
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 5u);
  auto& send = lines[0];
  EXPECT_EQ(send["event"], "send");
  EXPECT_EQ(send["from"], "cam \"1\"\\\n\x01");
  EXPECT_EQ(send["to"], "sink");
  EXPECT_EQ(send["topic"], "");
  EXPECT_EQ(send["node"], "edge");
  EXPECT_EQ(send["time_ns"], 42);
  EXPECT_EQ(send["bytes"], 100);
  EXPECT_EQ(send["seq"].get<uint64_t>(), 18446744073709551615ull);
  EXPECT_EQ(send["send_time_ns"], -5);
  EXPECT_EQ(send["correlation_id"], 9);
  EXPECT_EQ(send["span_id"], span_hex(0xabc));
  EXPECT_EQ(send["parent_span_id"], span_hex(0xf00000000000000dull));
  EXPECT_EQ(send["trace_id"], trace_hex);
  EXPECT_EQ(send["queue_us"], 12);
  EXPECT_EQ(send["compute_us"], 34);
  EXPECT_EQ(send["batch_size"], 2);
  EXPECT_EQ(lines[1]["event"], "recv");
  EXPECT_FALSE(lines[1].contains("queue_us"));
  EXPECT_EQ(lines[2]["topic"], "détections");
  EXPECT_FALSE(lines[2].contains("correlation_id"));
  EXPECT_FALSE(lines[3].contains("queue_us"));
  EXPECT_EQ(lines[4]["compute_us"], 34);
  std::remove(path.c_str());
}

TEST(TraceRecorder, ABinaryTraceReadsBackAsTheSameEventsAsJsonLines) {
  auto dir = std::string(::testing::TempDir());
  for (auto* f : {"/same-events.jsonl", "/same-events.trace"}) {
    std::remove((dir + f).c_str());
    record_a_result(dir + f);
  }
  auto jsonl = events_in(dir + "/same-events.jsonl");
  auto binary = events_in(dir + "/same-events.trace");
  ASSERT_EQ(jsonl.size(), 5u);
  EXPECT_EQ(binary, jsonl);
  // A second recorder appends after the head the first wrote.
  record_a_result(dir + "/same-events.trace");
  EXPECT_EQ(events_in(dir + "/same-events.trace").size(), 10u);
}

TEST(TraceRecorder, AFileOfTheOtherFormatOrANameOfNeitherIsRefused) {
  auto dir = std::string(::testing::TempDir());
  EXPECT_THROW(trace_recorder::open(dir + "/run.json", 1.0), std::runtime_error);
  EXPECT_THROW(trace_recorder::open(dir + "/trace", 1.0), std::runtime_error);
  std::remove((dir + "/lines-not-records.trace").c_str());
  std::ofstream(dir + "/lines-not-records.trace") << "{\"event\":\"send\"}\n";
  try {
    trace_recorder::open(dir + "/lines-not-records.trace", 1.0);
    ADD_FAILURE() << "a JSON-lines file opened as binary";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("lines-not-records.trace: it holds no binary trace"), std::string::npos)
        << e.what();
  }
  std::remove((dir + "/records.trace").c_str());
  trace_recorder::open(dir + "/records.trace", 1.0);  // writes the head
  std::rename((dir + "/records.trace").c_str(), (dir + "/records.jsonl").c_str());
  EXPECT_THROW(trace_recorder::open(dir + "/records.jsonl", 1.0), std::runtime_error);
  std::remove((dir + "/records.jsonl").c_str());
}

// Lines gather per thread: however threads interleave, every line arrives whole, once,
// and each thread's lines keep their order; names of any length fit. In both formats.
class TraceRecorderThreads : public ::testing::TestWithParam<const char*> {};

TEST_P(TraceRecorderThreads, LoseNoLineAndKeepTheirOwnOrder) {
  auto path = std::string(::testing::TempDir()) + "/trace-recorder-threads" + GetParam();
  std::remove(path.c_str());
  constexpr int threads = 6, per_thread = 20000;
  {
    auto rec = trace_recorder::open(path, 1.0);
    std::vector<std::thread> senders;
    for (int t = 0; t < threads; ++t)
      senders.emplace_back([&rec, t] {
        letter l;
        l.type = "troupe.msg.Detections";
        l.sender = "sender-" + std::to_string(t);
        l.receiver = std::string(t == 0 ? 5000 : 8, t == 0 ? '"' : 'r');  // 0: every byte escaped
        for (int i = 0; i < per_thread; ++i) {
          l.sequence = i;
          rec->record(i % 2 ? trace_event::recv : trace_event::send, "node", l, i, i);
        }
      });
    for (auto& s : senders)
      s.join();
  }
  std::map<std::string, int64_t> next;
  for (auto& j : events_in(path)) {
    ASSERT_FALSE(j.is_discarded());
    auto from = j["from"].get<std::string>();
    ASSERT_EQ(j["seq"].get<int64_t>(), next[from]) << from;
    ++next[from];
    if (from == "sender-0") {
      ASSERT_EQ(j["to"].get<std::string>(), std::string(5000, '"'));
    }
  }
  ASSERT_EQ(next.size(), size_t(threads));
  for (auto& [from, n] : next)
    EXPECT_EQ(n, per_thread) << from;
  std::remove(path.c_str());
}

INSTANTIATE_TEST_SUITE_P(BothFormats, TraceRecorderThreads, ::testing::Values(".jsonl", ".trace"));
