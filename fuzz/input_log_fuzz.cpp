// Any bytes as a recorded input log (`troupe run --record`): a record cut short or
// whose envelope does not decode is an error naming its offset, never a crash.
#include <stdexcept>

#include "actors/runtime/trace/input_log.hpp"
#include "fuzz/harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    troupe::read_input_log(troupe::fuzz::as_file(data, size, ".inputs"));
  } catch (const std::runtime_error&) {
  }
  return 0;
}
