#include "actors/roomie/roomie.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/roomie/cli/bench_roomie.hpp"
#include "actors/roomie/cli/derive_traces_command.hpp"
#include "actors/roomie/cli/interference_command.hpp"
#include "actors/roomie/core/query_load.hpp"
#include "actors/roomie/placement_actor.hpp"
#include "actors/roomie/query_source.hpp"
#include "actors/runtime/file_output.hpp"
#include "troupe/messages/roomie.pb.h"
#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"

namespace troupe {

namespace {

void add_derive_traces(command_hooks& hooks) {
  auto o = std::make_shared<learning::derive_traces_options>();
  auto* cmd = hooks.troupe.add_subcommand("derive-traces", "kernel traces of the project's detectors and forecaster, "
                                                           "derived from their CPU forward passes (not measured)");
  cmd->add_option("-o,--output", o->output, "folder; a trace per arch under it (default topologies/kernels/derived)");
  cmd->add_option("--archs", o->archs, "GPU limits (default gpu/arch_limits.yaml)")->check(CLI::ExistingFile);
  cmd->add_option("--arch", o->arch_names, "archs to derive for (default sm_72 sm_80 sm_90)");
  cmd->add_option("--detectors", o->detectors, "detector sizes (default n s m)");
  cmd->add_option("--inputs", o->inputs, "detector inputs, pixels (default 320 640)");
  cmd->add_option("--batches", o->detector_batches, "detector batches (default 1 8)");
  cmd->add_option("--forecaster-batches", o->forecaster_batches, "OctoCross's model at 16 nodes (default 1 64)");
  cmd->callback([&hooks, o] { hooks.run = [o] { return derive_traces_command(*o); }; });
}

void add_roomie_drop(command_hooks& hooks) {
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

struct load_options {
  std::string shape;
  double duration_s = 600, length_s = 10, sigma = 0.3;
  uint64_t seed = 1;
  std::string output;
};

int load_command(const load_options& o) {
  auto curve = o.shape == "twitter-like" ? roomie::twitter_like_load(o.duration_s, o.seed)
                                         : roomie::gaussian_process_load(o.duration_s, o.length_s, o.sigma, o.seed);
  return write_and_say(o.output, roomie::load_curve_csv(curve)) ? 0 : 1;
}

void add_roomie_load(command_hooks& hooks) {
  auto o = std::make_shared<load_options>();
  auto* cmd = hooks.troupe.add_subcommand("roomie-load", "a query-rate curve for ROOMIE's benches: the synthetic "
                                                         "twitter-like stand-in or a Gaussian process (RBF)");
  cmd->add_option("shape", o->shape, "twitter-like or gp")->required()->check(CLI::IsMember({"twitter-like", "gp"}));
  cmd->add_option("-o,--output", o->output, "the CSV (t_s,multiplier)")->required();
  cmd->add_option("--duration", o->duration_s, "seconds (default 600)")->check(CLI::Range(1.0, 86400.0));
  cmd->add_option("--length", o->length_s, "gp: the RBF kernel's length, seconds (default 10)")->check(CLI::PositiveNumber);
  cmd->add_option("--sigma", o->sigma, "gp: its standard deviation (default 0.3)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", o->seed, "default 1");
  cmd->callback([&hooks, o] { hooks.run = [o] { return load_command(*o); }; });
}

void add_bench_roomie(command_hooks& hooks) {
  auto o = std::make_shared<bench_roomie_options>();
  auto* cmd = hooks.bench.add_subcommand("roomie", "ROOMIE's placement against INFaaS- and Usher-style on emulated "
                                                   "shared GPUs, per load (thesis Figs. 4.2-4.5)");
  cmd->add_option("--cluster", o->cluster, "cloud (3 x 4 A100, default) or edge (12 Xavier)")
      ->check(CLI::IsMember({"cloud", "edge"}));
  cmd->add_option("--workload", o->workload, "twitter-like (default; synthetic, labelled) or synthetic (a Gaussian process)")
      ->check(CLI::IsMember({"twitter-like", "synthetic"}));
  cmd->add_option("--loads", o->loads, "fractions of the standalone capacity (default 0.25 0.5 0.75 1 1.25)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--policies", o->policies, "roomie, infaas, usher (default all three)")
      ->check(CLI::IsMember({"roomie", "infaas", "usher"}));
  cmd->add_option("--duration", o->duration_s, "seconds per run, deployment time (default 30)")->check(CLI::PositiveNumber);
  cmd->add_option("--time-scale", o->time_scale,
                  "deployment time this much slower than wall time (default the topology's, 10): the cloud's "
                  "capacity needs ~100 on a small machine")
      ->check(CLI::Range(1.0, 10000.0));
  cmd->add_option("--repeats", o->repeats, "runs per policy and load, seeds moved per run (default 3)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", o->resume, "read back runs whose report the output folder already holds");
  cmd->add_option("-o,--output", o->out_dir, "folder of the runs' reports (default build/reports/bench-roomie)");
  cmd->callback([&hooks, o] { hooks.run = [o] { return bench_roomie(*o); }; });
}

}  // namespace

void register_roomie(system_registry& r) {
  r.add(accepting(placement_actor_kind(),
                  types_of<msg::roomie::PlaceRequest, msg::ReplicaStats, msg::ActorDown, msg::Ack>()));
  r.add(accepting(query_source_kind(), types_of<msg::roomie::PlaceReply, msg::roomie::PlacementTable, msg::ActorDown>()));
  if (!r.commands)
    return;
  add_derive_traces(*r.commands);
  add_roomie_drop(*r.commands);
  add_roomie_load(*r.commands);
  add_bench_roomie(*r.commands);
}

}  // namespace troupe
