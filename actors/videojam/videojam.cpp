#include "actors/videojam/videojam.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/videojam/cli/bench_videojam.hpp"
#include "actors/videojam/cli/train_forecaster.hpp"
#include "actors/videojam/function_replica.hpp"
#include "actors/videojam/pipeline_camera.hpp"
#include "actors/videojam/pipeline_sink.hpp"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/videojam.pb.h"
#include "troupe/messages/vision.pb.h"

namespace troupe {

namespace {

void add_commands(command_hooks& hooks) {
  auto bench = std::make_shared<bench_videojam_options>();
  auto* cmd = hooks.bench.add_subcommand("videojam", "VideoJam against WRR, Distream (full- and semi-stochastic) and no balancing: one table, timelines, optional camera sweep");
  cmd->add_option("topologies", bench->topologies, "scenario topologies (default topologies/videojam/videojam-hetero.yaml)");
  cmd->add_option("--duration", bench->duration_s, "seconds per run (default: each file's duration_s)");
  cmd->add_option("--policies", bench->policies, "which balancers (default: videojam wrr distream distream-ss none)");
  cmd->add_option("--cameras", bench->cameras, "mobile camera counts of the sweep, e.g. 2 3 4 5 (default: no sweep)");
  cmd->add_option("--forecaster", bench->forecaster, "weight file for VideoJam's balancers (default: the files' own)");
  cmd->add_option("--repeats", bench->repeats, "runs per policy, each with its own seeds (default 3)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", bench->resume, "read back runs whose report the output folder already holds");
  cmd->add_option("-o,--output", bench->out_dir, "folder of reports and plots (default build/reports/bench-videojam)");

  cmd->callback([&hooks, bench] { hooks.run = [bench] { return bench_videojam(*bench); }; });

  auto training = std::make_shared<learning::forecaster_options>();
  auto* train = hooks.troupe.add_subcommand("train-forecaster", "train VideoJam's load forecaster (dense, h -> k slots) on recorded load traces");
  train->add_option("traces", training->traces, "load traces (slot,items), as balancers write them with load_trace")->required();
  train->add_option("-o,--output", training->output, "weight file to write (a balancer's forecaster param)")->required();
  train->add_option("--history", training->h, "h, slots of history in (default 50)")->check(CLI::Range(1, 100000));
  train->add_option("--horizon", training->k, "k, slots forecast (default 10)")->check(CLI::Range(1, 100000));
  train->add_option("--network", training->network, "dense (default, the thesis's) or lstm (OctoCross's Distream baseline)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, learning::forecaster_network>{
          {"dense", learning::forecaster_network::dense}, {"lstm", learning::forecaster_network::lstm}}));
  train->add_option("--units", training->units, "units of the dense layer or the LSTM (default 512, LSTM 64)")
      ->check(CLI::Range(1, 1000000));
  train->add_option("--epochs", training->epochs, "the most trained (default 100)")->check(CLI::PositiveNumber);
  train->add_option("--validation", training->split.validation,
                    "share of every trace, before the held-out part, that picks the epoch kept; 0 keeps the last "
                    "(default 0.1)");
  train->add_option("--held-out", training->split.held_out, "last share of every trace, only scored (default 0.2)");
  train->add_option("--learning-rate", training->learning_rate, "Adam learning rate (default 0.001)")
      ->check(CLI::PositiveNumber);
  train->add_option("--seed", training->seed, "default 1");
  train->callback([&hooks, training] { hooks.run = [training] { return train_forecaster_command(*training); }; });
}

}  // namespace

void register_videojam(system_registry& r) {
  r.add(accepting(function_replica_kind(),
                  types_of<msg::WorkItem, msg::videojam::DataOffload, msg::videojam::InformationRequest,
                           msg::videojam::StateUpdate, msg::videojam::CongestionRisk, msg::videojam::OffloadPlan,
                           msg::videojam::LinkProbe, msg::ActorDown>()));
  r.add(accepting(pipeline_camera_kind(), {}));
  r.add(accepting(pipeline_sink_kind(),
                  types_of<msg::videojam::PipelineResult, msg::videojam::FunctionStats, msg::ItemBooks,
                           msg::ActorDown>()));
  r.file_maker(R"(forecaster[^/]*\.txt$)", "scripts/train-forecaster.sh");
  if (r.commands)
    add_commands(*r.commands);
}

}  // namespace troupe
