#include "actors/penance/cli/train_penance.hpp"

#include <spdlog/spdlog.h>

#include "actors/common/cli/training_command.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int train_estimator_command(const learning::estimator_options& o) {
  require_writable(o.output);
  spdlog::info("training the bitrate estimator on {} training drives ({} kept for validation), {} epochs -> {}",
               o.data.drives.train, o.validation_drives, o.epochs, o.output);
  auto r = train_with_progress("train-penance estimator", "loss",
                               [&](auto progress) { return plugin_train_estimator(o, progress); });
  log::result(fmt::format(
      "wrote {}: kept epoch {} (validation loss {:.4f}); Table 1 on {} test drives: size error mean {:.2f} % / median "
      "{:.2f} %, AR(1) + ratio table {:.2f} % / {:.2f} % (paper 1s-15fps: 17.22 / 12.96 against 25.07 / 23.71); "
      "Table 2: {:.1f} MMAC per segment ({:.1f} at the paper's 640x360 input, paper 45.79), receptive field {} px "
      "(paper 166), {:.1f} ms on one thread (paper 202.44 on a Pi 4B) ({:.0f} s)",
      r.output, r.kept_epoch, r.validation_loss, o.data.drives.test, r.mean_error, r.median_error,
      r.baseline_mean_error, r.baseline_median_error, r.macs / 1e6, r.paper_input_macs / 1e6, r.receptive_field,
      r.ms_per_segment, r.seconds));
  return 0;
}

int train_adapter_command(const learning::adapter_options& o) {
  require_writable(o.output);
  spdlog::info("training the {} adapter by PPO: {} steps of {} episodes per rollout on {} training drives -> {}",
               learning::variant_name(o.variant), o.steps, o.episodes_per_rollout, o.data.drives.train, o.output);
  if (!o.conditions.empty()) {
    size_t segments = 0;
    for (auto& c : o.conditions)
      segments += c.targets.size();
    log::result(fmt::format("conditions recorded: {} cameras, {} segments", o.conditions.size(), segments));
  }
  auto r = train_with_progress(std::string("train-penance ") + learning::variant_name(o.variant), "reward/step",
                               [&](auto progress) { return plugin_train_adapter(o, progress); });
  log::result(fmt::format(
      "wrote {}: {} steps in {} rollouts, reward per step {:.3f} first tenth, {:.3f} last; test drives at A 0.65, B "
      "0.6 MBps: fail {:.1f} %, {:.3f} GMAC per segment (Optimal {:.1f} %, {:.3f}); one decision {:.2f} ms on one "
      "thread (paper 20.69 on a Pi 4B); trained at B {:.2f}-{:.2f} MBps ({:.0f} s)",
      r.output, r.steps, r.rollouts, r.first_reward, r.final_reward, r.fail_pct, r.gmacs, r.optimal_fail_pct,
      r.optimal_gmacs, r.adapter_ms, r.bandwidth_played_min, r.bandwidth_played_max, r.seconds));
  return 0;
}

int train_dao_command(const learning::dao_options& o) {
  require_writable(o.output);
  spdlog::info("training DAO-C's accuracy predictor on {} training drives, the frozen {} beneath it, {} epochs -> {}",
               o.data.drives.train, o.backbone, o.epochs, o.output);
  auto r = train_with_progress("train-penance dao", "loss", [&](auto progress) { return plugin_train_dao(o, progress); });
  log::result(fmt::format("wrote {}: first-frame mIoU error per configuration, mean |predicted - true|: {:.3f} on the "
                          "training drives, {:.3f} on the test drives (Periodic Profiling's first frame of the video: "
                          "{:.3f}) ({:.0f} s)",
                          r.output, r.train_mae, r.test_mae, r.test_mae_profile, r.seconds));
  return 0;
}

}  // namespace troupe
