#include "actors/videojam/cli/train_forecaster.hpp"

#include <spdlog/spdlog.h>

#include "actors/common/cli/training_command.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int train_forecaster_command(const learning::forecaster_options& o) {
  require_writable(o.output);
  bool dense = o.network == learning::forecaster_network::dense;
  spdlog::info("training the load forecaster ({}, h={} -> k={}, {} units, {} epochs) on {} trace(s) -> {}",
               dense ? "dense" : "lstm", o.h, o.k, o.units > 0 ? o.units : dense ? 512 : 64, o.epochs,
               o.traces.size(), o.output);
  auto r = train_with_progress("train-forecaster", "train MSE",
                               [&](auto progress) { return plugin_train_forecaster(o, progress); });
  log::result(fmt::format(
      "wrote {}: {} training, {} validation and {} held-out windows; kept epoch {} of {} (train MSE {:.3f}, "
      "validation {:.3f}); held-out MSE {:.3f} items^2 per slot (naive forecaster {:.3f}) ({:.1f} s)",
      o.output, r.train_samples, r.validation_samples, r.held_out_samples, r.kept_epoch, o.epochs, r.train_mse,
      r.validation_mse, r.held_out_mse, r.naive_held_out_mse, r.seconds));
  return 0;
}

}  // namespace troupe
