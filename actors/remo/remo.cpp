#include "actors/remo/remo.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/remo/cli/bench_remo.hpp"
#include "actors/remo/cli/fit_remo.hpp"
#include "actors/remo/region_camera.hpp"
#include "actors/remo/region_scheduler.hpp"
#include "troupe/messages/remo.pb.h"
#include "troupe/messages/vision.pb.h"

namespace troupe {

namespace {

void add_commands(command_hooks& hooks) {
  auto bench = std::make_shared<bench_remo_options>();
  auto* cmd = hooks.bench.add_subcommand("remo", "ReMO against its baselines: one table and plots, optional camera sweep");
  cmd->add_option("topology", bench->topology, "topology with region cameras (default topologies/remo/remo-4cam.yaml)");
  cmd->add_option("--duration", bench->duration_s, "seconds per run (default 30)");
  cmd->add_option("--policies", bench->policies, "which (default: remo bandwidth-prior model-prior offload-frame elf ehci)");
  cmd->add_option("--cameras", bench->cameras, "camera counts of the sweep, e.g. 4 8 12 16 (default: no sweep)");
  cmd->add_option("--sweep-duration", bench->sweep_duration_s, "seconds per sweep run (default 10)");
  cmd->add_flag("--fixed-trigger", bench->fixed_trigger,
              "the trigger's Q does not rise with the delay queue: every policy faces the same demands");
  cmd->add_option("--repeats", bench->repeats, "runs per policy and camera count, other seeds each (default 3)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", bench->resume, "read back runs whose reports are there instead of running them again");
  cmd->add_option("-o,--output", bench->out_dir, "folder of reports and plots (default build/reports/bench-remo)");

  auto fit = std::make_shared<fit_remo_options>();
  auto* trigger = hooks.troupe.add_subcommand("fit-trigger", "fit a region camera's Detect Trigger weights (grid search, k-fold CV)");
  trigger->add_option("topology", fit->topology, "topology holding the camera")->required();
  trigger->add_option("--camera", fit->camera, "the camera whose video and regions to fit on")->required();
  trigger->add_option("-o,--output", fit->output, "YAML to write (w1, w2)")->required();
  trigger->add_option("--slots", fit->slots, "slots observed (default 30)");
  trigger->add_option("--step", fit->step, "grid step of w1 and w2 over [0, 1] (default 0.1)");
  trigger->add_option("--folds", fit->folds, "cross-validation folds (default 5)");
  auto* regions = hooks.troupe.add_subcommand("fit-regions", "draw a camera's fixed regions from where its server's model finds objects");
  regions->add_option("topology", fit->topology, "topology holding the camera")->required();
  regions->add_option("--camera", fit->camera, "the camera whose video to observe")->required();
  regions->add_option("--frames", fit->frames, "frames observed (default 300)");
  regions->add_option("--rows", fit->rows, "rows of regions (default 2)");
  regions->add_option("--cols", fit->cols, "columns of regions (default 2)");
  regions->add_option("-o,--output", fit->output, "YAML to write (regions: [...]); default: print only");
  cmd->callback([&hooks, bench] { hooks.run = [bench] { return bench_remo(*bench); }; });
  trigger->callback([&hooks, fit] { hooks.run = [fit] { return fit_trigger(*fit); }; });
  regions->callback([&hooks, fit] { hooks.run = [fit] { return fit_regions(*fit); }; });
}

}  // namespace

void register_remo(system_registry& r) {
  r.add(accepting(region_camera_kind(), types_of<msg::Detections, msg::remo::SlotPlan>()));
  r.add(accepting(region_scheduler_kind(), types_of<msg::remo::SlotReport>()));
  if (r.commands)
    add_commands(*r.commands);
}

}  // namespace troupe
