#include "actors/octocross/octocross.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/octocross/cli/bench_octocross.hpp"
#include "actors/octocross/octocross_scheduler.hpp"

namespace troupe {

namespace {

void add_commands(command_hooks& hooks) {
  auto bench = std::make_shared<bench_octocross_options>();
  auto* cmd = hooks.bench.add_subcommand("octocross", "OctoCross's scheduler against no offloading on a site's cameras: objects/s, % of ideal, latency, SLO misses, per size");
  cmd->add_option("topologies", bench->topologies, "site topologies (default topologies/octocross/campus.yaml)");
  cmd->add_option("--duration", bench->duration_s, "seconds per run (default: each file's duration_s)");
  cmd->add_option("--policies", bench->policies, "greedy, none (default: both)");
  cmd->add_option("--sizes", bench->sizes, "camera nodes kept, e.g. 8 12 16 (default: all)")->check(CLI::PositiveNumber);
  cmd->add_option("--repeats", bench->repeats, "runs per policy and size, each with its own seeds (default 3)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", bench->resume, "read back runs whose report the output folder already holds");
  cmd->add_option("-o,--output", bench->out_dir, "folder of reports (default build/reports/bench-octocross)");
  cmd->callback([&hooks, bench] { hooks.run = [bench] { return bench_octocross(*bench); }; });
}

}  // namespace

void register_octocross(system_registry& r) {
  r.add(octocross_scheduler_kind());
  if (r.commands)
    add_commands(*r.commands);
}

}  // namespace troupe
