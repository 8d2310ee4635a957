// The trace recorder writes one JSON line per event by hand (for speed): names are
// escaped, numbers exact, a result's work fields on its send only.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "actors/runtime/trace/trace_recorder.hpp"
#include "troupe/messages/vision.pb.h"

using namespace troupe;

TEST(TraceRecorder, WritesOneJsonLinePerEventWithNamesEscapedAndWorkOnTheSend) {
  auto path = std::string(::testing::TempDir()) + "/trace-recorder-test.jsonl";
  std::remove(path.c_str());
  std::string trace_hex;
  {
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
    trace_hex = l.trace.trace_id_hex();
    auto d = std::make_shared<msg::Detections>();
    d->set_queue_us(12);
    d->set_compute_us(34);
    d->set_batch_size(2);
    l.body = d;
    rec->record("send", "edge", l, 100, 42);
    rec->record("recv", "server", l, 100, 43);
  }
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
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
  std::remove(path.c_str());
}

// Lines gather per thread: however threads interleave, every line arrives whole, once,
// and each thread's lines keep their order; names of any length fit.
TEST(TraceRecorder, ThreadsRecordingAtOnceLoseNoLineAndKeepTheirOwnOrder) {
  auto path = std::string(::testing::TempDir()) + "/trace-recorder-threads.jsonl";
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
          rec->record(i % 2 ? "recv" : "send", "node", l, i, i);
        }
      });
    for (auto& s : senders)
      s.join();
  }
  std::ifstream in(path);
  std::map<std::string, int64_t> next;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
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
