// Any text as each CSV the project reads: the first byte picks the reader (bandwidth
// traces, VideoJam's load traces, ROOMIE's load curves). A bad line is an exception
// naming file:line, never a crash.
#include <stdexcept>

#include "actors/roomie/core/query_load.hpp"
#include "actors/runtime/emulation/link_model.hpp"
#include "actors/videojam/core/forecaster.hpp"
#include "fuzz/harness.hpp"

using namespace troupe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  try {
    switch (data[0] % 3) {
      case 0: load_bandwidth_trace(fuzz::as_file(data + 1, size - 1, ".csv")); break;
      case 1: videojam::load_load_trace(fuzz::as_file(data + 1, size - 1, ".csv")); break;
      case 2: roomie::parse_load_curve(fuzz::text_of(data + 1, size - 1), "fuzz.csv"); break;
    }
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
