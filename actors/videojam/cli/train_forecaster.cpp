#include "actors/videojam/cli/train_forecaster.hpp"

#include <cstdio>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int train_forecaster_command(const learning::forecaster_options& o) {
  if (auto why = check_writable(o.output); !why.empty())
    throw std::runtime_error(why);
  spdlog::info("training the load forecaster ({}, h={} -> k={}, {} units, {} epochs) on {} trace(s) -> {}",
               o.network == learning::forecaster_network::dense ? "dense" : "lstm", o.h, o.k,
               o.units > 0 ? o.units : o.network == learning::forecaster_network::dense ? 512 : 64, o.epochs,
               o.traces.size(), o.output);
  progress_bar bar("train-forecaster");
  auto r = plugin_train_forecaster(o, [&](const learning::training_progress& p) {
    char loss[32];
    std::snprintf(loss, sizeof(loss), "train MSE %.3f, ", p.loss);
    bar.update(p.done, p.total, loss + p.detail);
  });
  char line[400];
  std::snprintf(line, sizeof(line), "%zu training, %zu validation and %zu held-out windows; kept epoch %d of %d "
                "(train MSE %.3f, validation %.3f); held-out MSE %.3f items^2 per slot (naive forecaster %.3f) (%.1f s)",
                r.train_samples, r.validation_samples, r.held_out_samples, r.kept_epoch, o.epochs, r.train_mse,
                r.validation_mse, r.held_out_mse, r.naive_held_out_mse, r.seconds);
  log::result("wrote " + o.output + ": " + line);
  return 0;
}

}  // namespace troupe
