#include "actors/penance/penance.hpp"

#include <map>
#include <memory>

#include <CLI/CLI.hpp>

#include "actors/penance/cli/bench_penance.hpp"
#include "actors/penance/cli/conditions_from_recording.hpp"
#include "actors/penance/cli/penance_dataset.hpp"
#include "actors/penance/cli/penance_perf.hpp"
#include "actors/penance/cli/train_penance.hpp"
#include "actors/penance/cli/train_segmenters.hpp"
#include "actors/penance/segment_camera.hpp"
#include "actors/penance/segment_sink.hpp"
#include "actors/penance/segmenter.hpp"
#include "troupe/messages/penance.pb.h"

namespace troupe {

namespace {

// `bench penance`: Figs. 14–15 on the test drives' replay.
void add_bench_penance(command_hooks& hooks) {
  auto o = std::make_shared<bench_penance_options>();
  auto* cmd = hooks.bench.add_subcommand("penance", "Penance against Optimal, Periodic Profiling, DAO-C and CASVA-C on "
                                                    "the test drives' replay (Figs. 14-15): fail %, mIoU, MACs");
  cmd->add_option("--tables", o->data.folder, "the dataset's tables (default build/penance/tables)");
  cmd->add_option("--test-drives", o->data.drives.test, "test drives (default 6)")->check(CLI::PositiveNumber);
  cmd->add_option("--drive-s", o->data.drives.drive_s, "seconds per drive (default 40)")->check(CLI::PositiveNumber);
  cmd->add_option("--size", o->data.width, "frame width of the tables (default 640)")->check(CLI::PositiveNumber);
  cmd->add_option("--estimator", o->estimator, "default build/models/penance-estimator.pt");
  cmd->add_option("--penance", o->penance, "Penance's adapter, default build/models/penance-adapter.pt");
  cmd->add_option("--casva", o->casva, "CASVA-C's adapter, default build/models/casva-c-adapter.pt (left out when missing)");
  cmd->add_option("--dao", o->dao, "DAO-C's accuracy predictor, default build/models/dao-c.pt (left out when missing)");
  cmd->add_option("--bandwidths", o->bandwidths, "Fig. 14's B at A 0.65, MB/s at 1280x720 (default 0.4 0.5 0.6 0.7 0.8)");
  cmd->add_option("--targets", o->targets, "Fig. 15's A at B 0.6 (default 0.5 0.6 0.7)");
  cmd->add_flag("--live", o->live, "also run the topology on every test drive with Penance's and CASVA-C's "
                                  "adapters, beside the replay");
  cmd->add_option("--topology", o->topology, "the live leg's topology (default topologies/penance/penance.yaml)");
  cmd->add_option("--live-duration", o->live_duration_s, "seconds per live run (default the drive's and 5)");
  cmd->add_option("--live-target", o->live_target, "the live leg's A (default 0.65)");
  cmd->add_option("--live-bandwidth", o->live_bandwidth, "the live leg's B, MB/s at 1280x720; the camera's link "
                                                         "carries it at the frames' pixels (default 0.6)");
  cmd->add_option("--models", o->data.models, "the segmenter's edge models, {v} the number (default "
                                              "build/models/segmenter-{v}.pt)");
  cmd->add_flag("--resume", o->resume, "read back live runs whose report the output folder already holds");
  cmd->add_option("-o,--output", o->out_dir, "folder of the report (default build/reports/bench-penance)");
  cmd->callback([&hooks, o] {
    o->data.height = o->data.width * 9 / 16;
    hooks.run = [o] { return bench_penance_command(*o); };
  });
}

// `penance-perf`: §6's speed goals, part by part.
void add_penance_perf(command_hooks& hooks) {
  auto o = std::make_shared<penance_perf_options>();
  auto* cmd = hooks.troupe.add_subcommand("penance-perf", "Penance's per-segment speed goals on this machine (issue 18 "
                                                          "section 6; one core: run under taskset -c 0)");
  cmd->add_option("--estimator", o->estimator, "default build/models/penance-estimator.pt");
  cmd->add_option("--adapter", o->adapter, "Penance's adapter and its performance encoder, default "
                                           "build/models/penance-adapter.pt");
  cmd->add_option("--models", o->models, "edge models, {v} the number (default build/models/segmenter-{v}.pt)");
  cmd->add_option("--size", o->width, "frame width; the height is 9/16 of it (default 640)")->check(CLI::Range(64, 3840));
  cmd->add_option("--segments", o->segments, "segments measured (default 5)")->check(CLI::Range(1, 1000));
  cmd->add_option("--seed", o->seed, "the drive (default 1001, the first test drive)");
  cmd->callback([&hooks, o] { hooks.run = [o] { return penance_perf_command(*o); }; });
}

// `train-penance`: one command, a stage each; the options every stage shares fill
// both stages' settings, the rest belong to one.
void add_train_penance(command_hooks& hooks) {
  struct choice {
    std::string stage, variant = "penance", output, conditions_from;
    learning::estimator_options est;
    learning::adapter_options adapter;
    learning::dao_options dao;
  };
  auto c = std::make_shared<choice>();
  auto& d = c->est.data;
  auto* tp = hooks.troupe.add_subcommand("train-penance", "train Penance's learned parts on the dataset's tables "
                                                          "(troupe penance-dataset first)");
  tp->add_option("--stage", c->stage, "estimator (the bitrate estimator, Fig. 10), then adapter (the CRL adapter and "
                                      "performance encoder, by PPO); dao (DAO-C's accuracy predictor)")
      ->required()
      ->check(CLI::IsMember({"estimator", "adapter", "dao"}));
  tp->add_option("-o,--output", c->output, "weight file (default build/models/penance-estimator.pt, "
                                           "penance-adapter.pt, casva-c-adapter.pt or dao-c.pt)");
  tp->add_option("--backbone", c->dao.backbone, "dao: the frozen MobileNet-style segmenter (default "
                                                "build/models/mobile-0.pt, from train-segmenters --family mobile)");
  tp->add_option("--tables", d.folder, "where penance-dataset put the tables (default build/penance/tables)");
  tp->add_option("--train-drives", d.drives.train, "training drives (default 15)")->check(CLI::PositiveNumber);
  tp->add_option("--test-drives", d.drives.test, "test drives (default 6)")->check(CLI::PositiveNumber);
  tp->add_option("--drive-s", d.drives.drive_s, "seconds per drive (default 40)")->check(CLI::PositiveNumber);
  tp->add_option("--size", d.width, "frame width of the tables; the height is 9/16 of it (default 640)")
      ->check(CLI::PositiveNumber);
  tp->add_option("--threads", c->est.threads, "libtorch threads (default: every core)");
  tp->add_option("--seed", c->est.seed, "default 1");
  tp->add_option("--epochs", c->est.epochs, "estimator: default 200 (the paper's)")->check(CLI::PositiveNumber);
  tp->add_option("--batch", c->est.batch, "estimator: segments per step (default 16)")->check(CLI::PositiveNumber);
  tp->add_option("--learning-rate", c->est.learning_rate, "estimator: Adam, cosine down to --final-rate (default 1e-4)");
  tp->add_option("--final-rate", c->est.final_rate, "estimator: default 1e-6");
  tp->add_option("--validation-drives", c->est.validation_drives,
                 "estimator: last training drives that pick the epoch kept (default 2)");
  tp->add_option("--variant", c->variant, "adapter: penance (default) or casva-c (p replaced by an extra encode's size)")
      ->check(CLI::IsMember({"penance", "casva-c"}));
  tp->add_option("--estimator", c->adapter.estimator, "adapter: the frozen estimator (default build/models/penance-estimator.pt)");
  tp->add_option("--steps", c->adapter.steps, "adapter: PPO steps (default 300000; the paper 2000000)")->check(CLI::PositiveNumber);
  tp->add_option("--episodes", c->adapter.episodes_per_rollout, "adapter: episodes per rollout (default 16)")
      ->check(CLI::PositiveNumber);
  tp->add_option("--checkpoint-every", c->adapter.checkpoint_every_s,
                 "adapter: seconds between checkpoints (<output>.checkpoint; a stopped training resumes; default 60)")
      ->check(CLI::NonNegativeNumber);
  tp->add_option("--conditions-from", c->conditions_from,
                 "adapter: a recorded run (troupe run --record DIR): episodes play the targets and bandwidths its "
                 "cameras met, segment by segment, instead of drawn ones")
      ->check(CLI::ExistingDirectory);
  tp->add_option("--ppo-rate", c->adapter.ppo.learning_rate, "adapter: Adam, actor and critic (default 1e-4)");
  tp->add_option("--xi", c->adapter.reward.xi, "adapter: violations (default) or literal (eq. 8 as printed)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, penance::xi_mode>{
          {"violations", penance::xi_mode::violations}, {"literal", penance::xi_mode::literal}}));
  tp->callback([&hooks, c] {
    auto& e = c->est;
    e.data.height = e.data.width * 9 / 16;
    if (c->stage == "estimator") {
      if (!c->output.empty())
        e.output = c->output;
      hooks.run = [c] { return train_estimator_command(c->est); };
      return;
    }
    if (c->stage == "dao") {
      auto& g = c->dao;
      g.data = e.data;
      g.threads = e.threads;
      g.seed = e.seed;
      if (!c->output.empty())
        g.output = c->output;
      hooks.run = [c] { return train_dao_command(c->dao); };
      return;
    }
    auto& a = c->adapter;
    a.data = e.data;
    a.threads = e.threads;
    a.seed = e.seed;
    a.variant = c->variant == "penance" ? learning::adapter_variant::penance : learning::adapter_variant::casva_c;
    a.output = !c->output.empty() ? c->output
               : a.variant == learning::adapter_variant::penance ? "build/models/penance-adapter.pt"
                                                                   : "build/models/casva-c-adapter.pt";
    hooks.run = [c] {
      if (!c->conditions_from.empty())
        c->adapter.conditions = conditions_from_recording(c->conditions_from);
      return train_adapter_command(c->adapter);
    };
  });
}

void add_commands(command_hooks& hooks) {
  auto seg = std::make_shared<learning::segmenter_options>();
  auto* cmd = hooks.troupe.add_subcommand("train-segmenters",
                                          "train Penance's edge models 0-4 (a pyramid-pooling FCN and four L1-pruned "
                                          "versions) on synthetic drives with exact labels");
  cmd->add_option("-o,--output", seg->output, "weight files, {v} the model's number (default build/models/segmenter-{v}.pt)");
  cmd->add_option("--steps", seg->steps, "model 0's optimiser steps (default 8000)")->check(CLI::PositiveNumber);
  cmd->add_option("--finetune-steps", seg->finetune_steps, "each pruned model's fine-tuning steps (default 1500)");
  cmd->add_option("--batch", seg->batch, "crops per step (default 8)")->check(CLI::PositiveNumber);
  cmd->add_option("--family", seg->family, "model 0's architecture: pyramid (default; strided 3x3 convolutions) or "
                                            "mobile (depthwise-separable blocks)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, learning::segmenter_family>{
          {"pyramid", learning::segmenter_family::pyramid}, {"mobile", learning::segmenter_family::mobile}}));
  cmd->add_option("--widths", seg->widths, "model 0's five widths (default pyramid 12 24 36 64 48, mobile 16 32 64 "
                                           "128 56)")->expected(5);
  cmd->add_option("--sparsities", seg->sparsities, "share of MACs each pruned model removes (default 0.5 0.75 0.875 0.9375)");
  cmd->add_option("--size", seg->width, "frame width; the height is 9/16 of it (default 640)")->check(CLI::PositiveNumber);
  cmd->add_option("--train-drives", seg->drives.train, "training drives (default 15)")->check(CLI::PositiveNumber);
  cmd->add_option("--test-drives", seg->drives.test, "held-out drives (default 6)")->check(CLI::PositiveNumber);
  cmd->add_option("--drive-s", seg->drives.drive_s, "seconds per drive (default 40)")->check(CLI::PositiveNumber);
  cmd->add_option("--frames-per-drive", seg->frames_per_drive, "training frames from each drive (default 80)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--eval-frames-per-drive", seg->eval_frames_per_drive, "held-out frames from each test drive (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--learning-rate", seg->learning_rate, "Adam, model 0 (default 0.002)");
  cmd->add_option("--finetune-rate", seg->finetune_rate, "Adam, pruned models (default 0.001)");
  cmd->add_option("--threads", seg->threads, "libtorch threads (default: every core)");
  cmd->add_option("--seed", seg->seed, "network init and crops (default 1)");
  cmd->callback([&hooks, seg] {
    seg->height = seg->width * 9 / 16;
    seg->crop_width = std::min(seg->crop_width, seg->width);
    seg->crop_height = std::min(seg->crop_height, seg->height);
    hooks.run = [seg] { return train_segmenters_command(*seg); };
  });

  auto data = std::make_shared<learning::penance_dataset_options>();
  auto probe = std::make_shared<bool>(false);
  auto* ds = hooks.troupe.add_subcommand("penance-dataset",
                                         "encode every segment of the training and test drives at every setting, "
                                         "segment it with every model, keep sizes, mIoU and probabilities per drive");
  ds->add_option("--models", data->models, "edge models, {v} the number (default build/models/segmenter-{v}.pt)");
  ds->add_option("-o,--folder", data->folder, "where the tables go (default build/penance/tables)");
  ds->add_option("--size", data->width, "frame width; the height is 9/16 of it (default 640)")->check(CLI::PositiveNumber);
  ds->add_option("--train-drives", data->drives.train, "training drives (default 15)")->check(CLI::PositiveNumber);
  ds->add_option("--test-drives", data->drives.test, "test drives (default 6)")->check(CLI::PositiveNumber);
  ds->add_option("--drive-s", data->drives.drive_s, "seconds per drive (default 40)")->check(CLI::PositiveNumber);
  ds->add_option("--workers", data->workers, "drives built side by side (default: every core)");
  ds->add_flag("--probe", *probe, "only three training and three test drives: a quick look at what the drives show");
  ds->callback([&hooks, data, probe] {
    data->height = data->width * 9 / 16;
    if (*probe) {
      data->drives.train = std::min(data->drives.train, 3);
      data->drives.test = std::min(data->drives.test, 3);
    }
    hooks.run = [data] { return penance_dataset_command(*data); };
  });

  add_train_penance(hooks);
  add_bench_penance(hooks);
  add_penance_perf(hooks);
}

}  // namespace

void register_penance(system_registry& r) {
  r.add(accepting(segment_camera_kind(), types_of<msg::penance::PerformanceCode>()));
  r.add(accepting(segmenter_kind(), types_of<msg::penance::SegmentChunk>()));
  r.add(accepting(segment_sink_kind(), types_of<msg::penance::SegmentSent, msg::penance::SegmentLabels>()));
  r.file_maker(R"(segmenter-[0-9]+\.pt$)", "troupe train-segmenters");
  r.file_maker(R"(penance-estimator[^/]*\.pt$)", "troupe train-penance --stage estimator");
  r.file_maker(R"((penance|casva-c)-adapter[^/]*\.pt$)", "troupe train-penance --stage adapter");
  r.file_maker(R"(dao-c[^/]*\.pt$)", "troupe train-penance --stage dao");
  if (r.commands)
    add_commands(*r.commands);
}

}  // namespace troupe
