// `troupe trace export`: a recorded trace becomes Chrome/Perfetto slices and flows;
// lines that are not JSON, lack a span, hold a field of the wrong type or a time or
// work no clock gives are skipped and counted, and the rest of the file still exports.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "actors/runtime/trace/trace_export.hpp"

using namespace troupe;

TEST(TraceExport, WrongTypedFieldsSkipTheirLineNotTheFile) {
  std::istringstream in(
      R"({"span_id":"a","event":"send","type":"Frame","from":"cam","to":"det","time_ns":1000,"bytes":10,"node":"n1"})"
      "\n"
      R"({"span_id":"a","event":"recv","time_ns":3000,"node":"n2","to":"det"})"
      "\n"
      "not json at all\n"
      R"({"span_id":"b","event":"send","bytes":"many"})"
      "\n"
      R"({"span_id":7,"event":"send"})"
      "\n"
      R"({"span_id":"c","event":["send"]})"
      "\n"
      R"({"event":"send"})"
      "\n"
      R"([1, 2, 3])"
      "\n"
      R"({"span_id":"e","event":"send","time_ns":2.61611e+26})"  // found by fuzz/trace_fuzz.cpp
      "\n"
      R"({"span_id":"f","event":"send","time_ns":5,"compute_us":32490978324343156})"  // so were these
      "\n"
      R"({"span_id":"g","event":"send","time_ns":5,"queue_us":72057594037927936})"
      "\n"
      R"({"span_id":"h","event":"send","time_ns":-5})"
      "\n"
      R"({"span_id":"i","event":"send","time_ns":9223372036854775807})"
      "\n"
      R"({"span_id":"d","event":"send","type":"Detections","from":"det","to":"sink","time_ns":5000,"parent_span_id":"a","node":"n2"})"
      "\n");
  export_summary summary;
  auto chrome = export_chrome_trace(in, summary);
  EXPECT_EQ(summary.lines, 14u);
  EXPECT_EQ(summary.skipped, 11u);
  EXPECT_EQ(summary.messages, 2u);  // spans a and d
  EXPECT_EQ(summary.flows, 1u);     // d caused by a
  int slices = 0;
  for (auto& e : chrome["traceEvents"])
    if (e["ph"] == "X") {
      ++slices;
      if (e["name"] == "Frame")
        EXPECT_DOUBLE_EQ(e["dur"].get<double>(), 2.0);  // 1000 → 3000 ns, in µs
    }
  EXPECT_EQ(slices, 2);
}

// A replica's results carry their work: each waits in the queue, then one slice per
// batch on the replica's track, a flow from each frame's region to the batch (issue 21).
TEST(TraceExport, AResultsQueueWaitAndItsBatchAreSlicesOnTheReplicasTrack) {
  std::istringstream in(
      R"({"span_id":"r1","event":"send","type":"Region","from":"cam","to":"det","time_ns":1000000,"node":"cams"})" "\n"
      R"({"span_id":"r1","event":"recv","time_ns":2000000,"node":"edge","to":"det"})" "\n"
      R"({"span_id":"r2","event":"send","type":"Region","from":"cam","to":"det","time_ns":3000000,"node":"cams"})" "\n"
      R"({"span_id":"r2","event":"recv","time_ns":4000000,"node":"edge","to":"det"})" "\n"
      // both computed together from 6 ms to 16 ms; r1 waited 4 ms, r2 2 ms
      R"({"span_id":"d1","event":"send","type":"Detections","from":"det","to":"sink","time_ns":16000000,"node":"edge","parent_span_id":"r1","queue_us":4000,"compute_us":10000,"batch_size":2})" "\n"
      R"({"span_id":"d2","event":"send","type":"Detections","from":"det","to":"sink","time_ns":16100000,"node":"edge","parent_span_id":"r2","queue_us":2000,"compute_us":10000,"batch_size":2})" "\n"
      // alone in the next batch
      R"({"span_id":"d3","event":"send","type":"Detections","from":"det","to":"sink","time_ns":30000000,"node":"edge","queue_us":0,"compute_us":5000,"batch_size":1})" "\n");
  export_summary summary;
  auto chrome = export_chrome_trace(in, summary);
  EXPECT_EQ(summary.skipped, 0u);
  EXPECT_EQ(summary.batches, 2u);
  std::vector<std::pair<double, double>> queues, batches;  // (ts, dur) in µs
  int work_flows = 0;
  for (auto& e : chrome["traceEvents"]) {
    if (e["ph"] == "X" && e["name"] == "queue")
      queues.emplace_back(e["ts"].get<double>(), e["dur"].get<double>());
    if (e["ph"] == "X" && e["cat"] == "work" && e["name"] != "queue")
      batches.emplace_back(e["ts"].get<double>(), e["dur"].get<double>());
    work_flows += e["ph"] == "f" && e["name"] == "computed in";
  }
  std::sort(queues.begin(), queues.end());
  std::sort(batches.begin(), batches.end());
  EXPECT_EQ(queues, (std::vector<std::pair<double, double>>{{2000, 4000}, {4100, 2000}}));
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_NEAR(batches[0].first, 6000, 100);   // the batch of two, from its start
  EXPECT_NEAR(batches[0].second, 10100, 100); // to its last result's send
  EXPECT_DOUBLE_EQ(batches[1].first, 25000);
  EXPECT_EQ(work_flows, 2);  // d3's request is not in the trace
}

// The same spans for Jaeger-style tools: a resource per node, a span per message with
// its cause as parent, and a result's queue wait and compute under the request it answered.
TEST(TraceExport, OtlpHasAServicePerNodeASpanPerMessageAndTheWork) {
  std::istringstream in(
      R"({"span_id":"00000000000000r1","trace_id":"t1","parent_span_id":"0000000000000000","event":"send","type":"Region","from":"cam","to":"det","time_ns":1000000,"node":"cams"})" "\n"
      R"({"span_id":"00000000000000r1","event":"recv","time_ns":2000000,"node":"edge","to":"det"})" "\n"
      R"({"span_id":"00000000000000d1","trace_id":"t1","parent_span_id":"00000000000000r1","event":"send","type":"Detections","from":"det","to":"sink","time_ns":16000000,"node":"edge","queue_us":4000,"compute_us":10000,"batch_size":1})" "\n");
  export_summary summary;
  auto otlp = export_otlp_trace(in, summary);
  EXPECT_EQ(summary.messages, 2u);
  EXPECT_EQ(summary.batches, 1u);
  std::map<std::string, nlohmann::json> by_name;
  std::set<std::string> services;
  for (auto& r : otlp["resourceSpans"]) {
    services.insert(r["resource"]["attributes"][0]["value"]["stringValue"].get<std::string>());
    for (auto& sp : r["scopeSpans"][0]["spans"])
      by_name[sp["name"].get<std::string>()] = sp;
  }
  EXPECT_EQ(services, (std::set<std::string>{"edge"}));  // both spans end on edge, where they were delivered or done
  ASSERT_EQ(by_name.size(), 4u);  // Region, Detections, queue, compute
  EXPECT_FALSE(by_name["Region"].contains("parentSpanId"));  // a root
  EXPECT_EQ(by_name["Region"]["startTimeUnixNano"], "1000000");
  EXPECT_EQ(by_name["Region"]["endTimeUnixNano"], "2000000");
  EXPECT_EQ(by_name["Detections"]["parentSpanId"], "00000000000000r1");
  EXPECT_EQ(by_name["queue"]["parentSpanId"], "00000000000000r1");
  EXPECT_EQ(by_name["queue"]["startTimeUnixNano"], "2000000");
  EXPECT_EQ(by_name["compute"]["startTimeUnixNano"], "6000000");
  EXPECT_EQ(by_name["compute"]["endTimeUnixNano"], "16000000");
  EXPECT_EQ(by_name["compute"]["spanId"].get<std::string>().size(), 16u);
  EXPECT_NE(by_name["compute"]["spanId"], by_name["queue"]["spanId"]);
}
