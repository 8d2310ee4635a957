#include "actors/systems.hpp"

#include "actors/common/common.hpp"
#include "actors/react/react.hpp"
#include "actors/remo/remo.hpp"
#include "actors/videojam/videojam.hpp"

namespace troupe {

namespace {

// The systems, one line each.
constexpr void (*systems[])(system_registry&) = {
  register_remo,
  register_videojam,
  register_react,
};

}  // namespace

const kind_registry& builtin_kinds() {
  static const kind_registry registry = [] {
    kind_registry kinds;
    system_registry r{&kinds, nullptr};
    register_common(r);
    for (auto add : systems)
      add(r);
    return kinds;
  }();
  return registry;
}

void add_system_commands(command_hooks& hooks) {
  system_registry r{nullptr, &hooks};
  for (auto add : systems)
    add(r);
}

}  // namespace troupe
