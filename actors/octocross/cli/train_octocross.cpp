#include "actors/octocross/cli/train_octocross.hpp"

#include <spdlog/spdlog.h>

#include "actors/common/cli/training_command.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int train_octocross_command(const learning::octocross_options& o) {
  require_writable(o.output);
  auto& s = o.shape;
  spdlog::info("training {} (τ {}, d {}, {} heads, L {}, N_max {}; {} epochs of {} windows) on {} trace(s) -> {}",
               octocross::variant_name(s.variant), s.tau, s.d, s.heads, s.layers, s.n_max, o.epochs, o.batch,
               o.traces.size(), o.output);
  auto r = train_with_progress("train-octocross", "loss",
                               [&](auto progress) { return plugin_train_octocross(o, progress); });
  log::result(fmt::format(
      "wrote {}: {} nodes; {} training, {} validation and {} held-out windows; kept epoch {} of {} (validation MSE "
      "{:.2f}); held-out forecast MSE {:.2f} (objects/s)^2 (naive {:.2f}), overload term {:.4f} ({:.1f} s)",
      o.output, r.nodes, r.train_windows, r.validation_windows, r.held_out_windows, r.kept_epoch, o.epochs,
      r.validation_mse, r.held_out_mse, r.naive_held_out_mse, r.held_out_overload, r.seconds));
  return 0;
}

}  // namespace troupe
