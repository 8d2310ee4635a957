#include "actors/roomie/roomie.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/roomie/cli/interference_command.hpp"

namespace troupe {

void register_roomie(system_registry& r) {
  if (!r.commands)
    return;
  auto& hooks = *r.commands;
  auto o = std::make_shared<interference_options>();
  auto* cmd = hooks.troupe.add_subcommand("roomie-drop", "how much models sharing one GPU slow each other: ROOMIE's "
                                                         "estimate (Alg. 2) beside the reference simulation");
  cmd->add_option("traces", o->traces, "kernel traces (topologies/kernels/...csv), one per model on the GPU")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--archs", o->archs, "GPU limits (default gpu/arch_limits.yaml)")->check(CLI::ExistingFile);
  cmd->add_option("--share", o->share, "how co-resident kernels share an SM: equal (default), fcfs, priority");
  cmd->add_option("--starts", o->starts, "Alg. 2's starting kernels per model (default 8)");
  cmd->add_option("--alignments", o->alignments, "the simulation's random alignments (default 16)");
  cmd->add_option("--seed", o->seed, "the alignments' seed (default 1)");
  cmd->callback([&hooks, o] { hooks.run = [o] { return interference_command(*o); }; });
}

}  // namespace troupe
