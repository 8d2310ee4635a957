#include "actors/octocross/octocross.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/octocross/cli/bench_adaptation.hpp"
#include "actors/octocross/cli/bench_octocross.hpp"
#include "actors/octocross/cli/train_octocross.hpp"
#include "actors/octocross/octocross_scheduler.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/videojam.pb.h"

namespace troupe {

namespace {

void add_commands(command_hooks& hooks) {
  auto bench = std::make_shared<bench_octocross_options>();
  auto* cmd = hooks.bench.add_subcommand("octocross", "OctoCross's scheduler against no offloading on a site's cameras: objects/s, % of ideal, latency, SLO misses, per size");
  cmd->add_option("topologies", bench->topologies, "site topologies (default topologies/octocross/campus.yaml)");
  cmd->add_option("--duration", bench->duration_s, "seconds per run (default: each file's duration_s)");
  cmd->add_option("--policies", bench->policies, "octocross, temp_abl, spat_abl, gnn_lstm, distream, greedy, none (default: octocross greedy none)");
  cmd->add_option("--models", bench->models, "folder of the learned policies' weights, POLICY-SITE.pt, and Distream's forecaster, distream-SITE.txt (default build/models, from scripts/train-octocross.sh)");
  cmd->add_flag("--traces", bench->traces, "every run's scheduler writes its samples to PREFIX-trace.csv (runs without "
                "offloading keep a scheduler that plans nothing)");
  cmd->add_option("--seed-base", bench->seed_base, "move every seed by this too (default 0; recordings for training use 500)");
  cmd->add_option("--sizes", bench->sizes, "camera nodes kept, e.g. 8 12 16 (default: all)")->check(CLI::PositiveNumber);
  cmd->add_option("--repeats", bench->repeats, "runs per policy and size, each with its own seeds (default 3)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", bench->resume, "read back runs whose report the output folder already holds");
  cmd->add_option("-o,--output", bench->out_dir, "folder of reports (default build/reports/bench-octocross)");
  cmd->callback([&hooks, bench] { hooks.run = [bench] { return bench_octocross(*bench); }; });

  auto adapt = std::make_shared<bench_adaptation_options>();
  auto* adaptation = hooks.bench.add_subcommand("octocross-adaptation", "OctoCross's online adaptation: cameras join and leave in phases (Fig. 8), objects/s per phase, finetunes");
  adaptation->add_option("topology", adapt->topology, "site topology (default topologies/octocross/campus.yaml)");
  adaptation->add_option("--steps", adapt->steps, "camera nodes in each phase (default 8 12 16 12 8)")->check(CLI::PositiveNumber);
  adaptation->add_option("--phase-s", adapt->phase_s, "seconds per phase (default 120)")->check(CLI::PositiveNumber);
  adaptation->add_option("--policies", adapt->policies, "default octocross greedy");
  adaptation->add_option("--models", adapt->models, "folder of POLICY-SITE-N.pt, weights trained on the first step's N cameras (default build/models)");
  adaptation->add_option("--grace-s", adapt->grace_s, "the scheduler's grace period (default 150)");
  adaptation->add_option("--repeats", adapt->repeats, "runs per policy, seeds moved per run (default 3)")
      ->check(CLI::PositiveNumber);
  adaptation->add_flag("--resume", adapt->resume, "read back runs whose report the output folder already holds");
  adaptation->add_option("-o,--output", adapt->out_dir, "folder of reports (default build/reports/bench-octocross-adaptation)");
  adaptation->callback([&hooks, adapt] { hooks.run = [adapt] { return bench_octocross_adaptation(*adapt); }; });

  auto training = std::make_shared<learning::octocross_options>();
  auto* train = hooks.troupe.add_subcommand("train-octocross", "train OctoCross's spatiotemporal model on its scheduler's traces");
  train->add_option("traces", training->traces, "traces the scheduler wrote (its trace param)")->required();
  train->add_option("-o,--output", training->output, "weight file to write (the scheduler's model param)")->required();
  train->add_option("--model", training->variant, "octocross (default), temp_abl, spat_abl or gnn_lstm")
      ->check([](const std::string& v) {
        try {
          octocross::parse_variant(v);
          return std::string();
        } catch (const std::exception& e) {
          return std::string(e.what());
        }
      });
  train->add_option("--epochs", training->epochs, "batches trained, the most (default 3000)")->check(CLI::PositiveNumber);
  train->add_option("--batch", training->batch, "windows per batch (default 16)")->check(CLI::PositiveNumber);
  train->add_option("--tau", training->shape.tau, "τ, seconds of history in and forecast out (default 32)")->check(CLI::PositiveNumber);
  train->add_option("--d", training->shape.d, "embedding width (default 64)")->check(CLI::PositiveNumber);
  train->add_option("--heads", training->shape.heads, "attention heads (default 8)")->check(CLI::PositiveNumber);
  train->add_option("--layers", training->shape.layers, "STAttn blocks (default 2)")->check(CLI::PositiveNumber);
  train->add_option("--n-max", training->shape.n_max, "the most nodes it places (default 128)")->check(CLI::PositiveNumber);
  train->add_option("--learning-rate", training->learning_rate, "Adam learning rate (default 0.001)");
  train->add_option("--period", training->ahead,
                    "samples a decision covers, the scheduler's period_s at 1 s samples: the head's mask reads "
                    "the mean forecast over them (default 15)")
      ->check(CLI::PositiveNumber);
  train->add_option("--net-weight", training->net_weight, "the loss's weight on slow links (default 0.1)");
  train->add_option("--validation", training->split.validation,
                    "share of every trace, before the held-out part, that picks the epoch kept (default 0.1)");
  train->add_option("--held-out", training->split.held_out, "last share of every trace, only scored (default 0.2)");
  train->add_option("--validate-every", training->validate_every, "epochs between validation scores (default 50)")
      ->check(CLI::PositiveNumber);
  train->add_option("--seed", training->seed, "default 1");
  train->callback([&hooks, training] {
    training->shape.variant = octocross::parse_variant(training->variant);
    hooks.run = [training] { return train_octocross_command(*training); };
  });
}

}  // namespace

void register_octocross(system_registry& r) {
  r.add(accepting(octocross_scheduler_kind(), types_of<msg::videojam::FunctionStats, msg::ActorDown>()));
  r.file_maker(R"((octocross|temp_abl|spat_abl|gnn_lstm)-[^/]*\.pt$|distream-[^/]*\.txt$)", "scripts/train-octocross.sh");
  if (r.commands)
    add_commands(*r.commands);
}

}  // namespace troupe
