#include "actors/octocross/cli/train_octocross.hpp"

#include <cstdio>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int train_octocross_command(const learning::octocross_options& o) {
  if (auto why = check_writable(o.output); !why.empty())
    throw std::runtime_error(why);
  auto& s = o.shape;
  spdlog::info("training {} (τ {}, d {}, {} heads, L {}, N_max {}; {} epochs of {} windows) on {} trace(s) -> {}",
               octocross::variant_name(s.variant), s.tau, s.d, s.heads, s.layers, s.n_max, o.epochs, o.batch,
               o.traces.size(), o.output);
  progress_bar bar("train-octocross");
  auto r = plugin_train_octocross(o, [&](const learning::training_progress& p) {
    char loss[32];
    std::snprintf(loss, sizeof(loss), "loss %.4f, ", p.loss);
    bar.update(p.done, p.total, loss + p.detail);
  });
  char line[480];
  std::snprintf(line, sizeof(line), "%zu nodes; %zu training, %zu validation and %zu held-out windows; kept epoch %d "
                "of %d (validation MSE %.2f); held-out forecast MSE %.2f (objects/s)^2 (naive %.2f), overload term "
                "%.4f (%.1f s)", r.nodes, r.train_windows, r.validation_windows, r.held_out_windows, r.kept_epoch,
                o.epochs, r.validation_mse, r.held_out_mse, r.naive_held_out_mse, r.held_out_overload, r.seconds);
  log::result("wrote " + o.output + ": " + line);
  return 0;
}

}  // namespace troupe
