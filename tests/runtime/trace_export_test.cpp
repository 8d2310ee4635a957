// `troupe trace export`: a recorded trace becomes Chrome/Perfetto slices and flows;
// lines that are not JSON, lack a span or hold a field of the wrong type are skipped
// and counted, and the rest of the file still exports.
#include <gtest/gtest.h>

#include <sstream>

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
      R"({"span_id":"d","event":"send","type":"Detections","from":"det","to":"sink","time_ns":5000,"parent_span_id":"a","node":"n2"})"
      "\n");
  export_summary summary;
  auto chrome = export_chrome_trace(in, summary);
  EXPECT_EQ(summary.lines, 10u);
  EXPECT_EQ(summary.skipped, 7u);
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
