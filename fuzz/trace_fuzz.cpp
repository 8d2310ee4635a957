// Any text as a recorded JSONL trace, exported to Chrome's format: bad lines are
// skipped and counted, never fatal.
#include <sstream>

#include "actors/runtime/trace/trace_export.hpp"
#include "fuzz/harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(troupe::fuzz::text_of(data, size));
  troupe::export_summary summary;
  troupe::export_chrome_trace(in, summary);
  return 0;
}
