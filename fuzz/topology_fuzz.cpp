// Any text as a topology file: a problem is an error with its position, never a
// crash. The kinds are stand-ins of the shared ones' parameter shapes (every type,
// ranges, references by kind, a required one), so the checks run without linking them.
#include "actors/runtime/context.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "fuzz/harness.hpp"

using namespace troupe;

namespace {

kind_spec stand_in(const std::string& name, std::vector<param_spec> parameters) {
  return {name, "a stand-in", std::move(parameters), [](node&, context, const params&) { return caf::actor(); }};
}

const kind_registry& kinds() {
  static const kind_registry k = [] {
    kind_registry r;
    r.add(stand_in("camera", {{"source", param_type::string, true, ""},
                              {"detector", param_type::string, true, "", {"detector"}},
                              {"sink", param_type::string, false, "", {"sink"}},
                              in_range({"fps", param_type::number, false, ""}, 0.01, 1000),
                              in_range({"jpeg_quality", param_type::integer, false, ""}, 0, 100),
                              {"crop", param_type::integer_list, false, ""},
                              {"loop", param_type::boolean, false, ""},
                              {"oracle", param_type::path, false, ""}}));
    r.add(stand_in("detector", {{"model", param_type::string, false, ""},
                                in_range({"workers", param_type::integer, false, ""}, 1, 1024)}));
    r.add(stand_in("sink", {{"report", param_type::string, false, ""},
                            in_range({"slo_ms", param_type::number, false, ""}, 0, 3600000)}));
    return r;
  }();
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto result = parse_topology(fuzz::text_of(data, size), "fuzz.yaml", kinds());
  if (result.topo.has_value() == !result.errors.empty())
    __builtin_trap();  // a topology, or errors: never both, never neither
  return 0;
}
