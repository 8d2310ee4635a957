// The research systems Troupe runs, one home each (actors/<system>/). A system comes
// in through its register function, which adds its actor kinds and its commands
// (bench, fit, train); actors/CMakeLists.txt names them (TROUPE_SYSTEMS), one line.
#pragma once

#include <functional>

#include "actors/runtime/kind_registry.hpp"

namespace CLI {
class App;
}

namespace troupe {

// Where a system adds its commands: under `troupe` and under `troupe bench`. The
// command the user chose leaves its work in `run`, which the CLI calls once parsing is
// done (so that usage errors exit 2 before anything runs).
struct command_hooks {
  CLI::App& troupe;
  CLI::App& bench;
  std::function<int()> run;
};

// What a system's register function adds to: the kind registry, the commands, or both.
struct system_registry {
  kind_registry* kinds = nullptr;     // null: commands only
  command_hooks* commands = nullptr;  // null: kinds only (validation, tests)

  void add(kind_spec spec) {
    if (kinds)
      kinds->add(std::move(spec));
  }
  // A file the system's topologies may name and the command that makes it.
  void file_maker(const std::string& pattern, const std::string& command) {
    if (kinds)
      register_file_maker(pattern, command);
  }
};

// Every kind a topology can name: the shared ones and every system's.
const kind_registry& builtin_kinds();

// Adds every system's commands to the troupe command.
void add_system_commands(command_hooks& hooks);

}  // namespace troupe
