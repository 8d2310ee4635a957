// Any bytes as a recorded trace, exported to Chrome's format: JSON lines, or binary
// blocks when the bytes start with the binary magic (seeds/trace/ holds one). Bad lines
// and damaged events are skipped and counted, never fatal.
#include <sstream>

#include "actors/runtime/trace/trace_export.hpp"
#include "fuzz/harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(troupe::fuzz::text_of(data, size));
  troupe::export_summary summary;
  troupe::export_chrome_trace(in, summary);
  return 0;
}
