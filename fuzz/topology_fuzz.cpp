// Any text as a topology file, with the shared kinds known: a problem is an error with
// its position, never a crash.
#include "actors/common/common.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "fuzz/harness.hpp"

using namespace troupe;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const kind_registry kinds = [] {
    kind_registry k;
    system_registry r{&k, nullptr};
    register_common(r);
    return k;
  }();
  auto result = parse_topology(fuzz::text_of(data, size), "fuzz.yaml", kinds);
  if (result.topo.has_value() == !result.errors.empty())
    __builtin_trap();  // a topology, or errors: never both, never neither
  return 0;
}
