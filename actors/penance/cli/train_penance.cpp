#include "actors/penance/cli/train_penance.hpp"

#include <cstdio>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int train_estimator_command(const learning::estimator_options& o) {
  if (auto why = check_writable(o.output); !why.empty())
    throw std::runtime_error(why);
  spdlog::info("training the bitrate estimator on {} training drives ({} kept for validation), {} epochs -> {}",
               o.data.drives.train, o.validation_drives, o.epochs, o.output);
  progress_bar bar("train-penance estimator");
  auto r = plugin_train_estimator(o, [&](const learning::training_progress& p) {
    char loss[32];
    std::snprintf(loss, sizeof(loss), "loss %.4f, ", p.loss);
    bar.update(p.done, p.total, loss + p.detail);
  });
  char line[512];
  std::snprintf(line, sizeof(line), "kept epoch %d (validation loss %.4f); Table 1 on %d test drives: size error mean "
                "%.2f %% / median %.2f %%, AR(1) + ratio table %.2f %% / %.2f %% (paper 1s-15fps: 17.22 / 12.96 against "
                "25.07 / 23.71); Table 2: %.1f MMAC per segment (%.1f at the paper's 640x360 input, paper 45.79), "
                "receptive field %d px (paper 166), %.1f ms on one thread (paper 202.44 on a Pi 4B) (%.0f s)",
                r.kept_epoch, r.validation_loss, o.data.drives.test, r.mean_error, r.median_error, r.baseline_mean_error,
                r.baseline_median_error, r.macs / 1e6, r.paper_input_macs / 1e6, r.receptive_field, r.ms_per_segment,
                r.seconds);
  log::result("wrote " + r.output + ": " + line);
  return 0;
}

int train_adapter_command(const learning::adapter_options& o) {
  if (auto why = check_writable(o.output); !why.empty())
    throw std::runtime_error(why);
  spdlog::info("training the {} adapter by PPO: {} steps of {} episodes per rollout on {} training drives -> {}",
               learning::variant_name(o.variant), o.steps, o.episodes_per_rollout, o.data.drives.train, o.output);
  progress_bar bar(std::string("train-penance ") + learning::variant_name(o.variant));
  auto r = plugin_train_adapter(o, [&](const learning::training_progress& p) {
    char reward[40];
    std::snprintf(reward, sizeof(reward), "reward %.3f/step, ", p.loss);
    bar.update(p.done, p.total, reward + p.detail);
  });
  char line[512];
  std::snprintf(line, sizeof(line), "%lld steps in %d rollouts, reward per step %.3f first tenth, %.3f last; test "
                "drives at A 0.65, B 0.6 MBps: fail %.1f %%, %.3f GMAC per segment (Optimal %.1f %%, %.3f); one "
                "decision %.2f ms on one thread (paper 20.69 on a Pi 4B) (%.0f s)",
                static_cast<long long>(r.steps), r.rollouts, r.first_reward, r.final_reward, r.fail_pct, r.gmacs,
                r.optimal_fail_pct, r.optimal_gmacs, r.adapter_ms, r.seconds);
  log::result("wrote " + r.output + ": " + line);
  return 0;
}

}  // namespace troupe
