#include "actors/react/react.hpp"

#include <memory>

#include <CLI/CLI.hpp>

#include "actors/react/cli/bench_react.hpp"
#include "actors/react/react_camera.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

namespace {

void add_commands(command_hooks& hooks) {
  auto bench = std::make_shared<bench_react_options>();
  auto* cmd = hooks.bench.add_subcommand("react", "REACT against edge-only, cloud-only and every-frame edge: model pairs, k x m grid, networks, model server load");
  cmd->add_option("topology", bench->topology, "topology with react cameras (default topologies/react/react-mobile.yaml)");
  cmd->add_option("--parts", bench->parts, "which of pairs grid networks server (default all)");
  cmd->add_option("--duration", bench->duration_s, "seconds per run (default: the file's duration_s)");
  cmd->add_option("--tracker", bench->tracker, "every camera's tracker: csrt (the paper's), kcf or flow (default: the file's)");
  cmd->add_option("--time-scale", bench->time_scale, "run the emulated clock this many times slower than the wall (default: the file's)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--modes", bench->modes, "modes of the pairs part (default: react edge-only cloud-only cloud-only-no-fast-track every-frame-edge)");
  cmd->add_option("--pairs", bench->pairs, "EDGE:CLOUD model pairs (default detector-n160-street:detector-m-street detector-n-street:detector-m-street detector-s-street:detector-m-street)");
  cmd->add_option("--models", bench->models_dir, "where pair names resolve to NAME.pt (default build/models)");
  cmd->add_option("--k", bench->k_grid, "edge periods of the grid (default 5 10 15 20)");
  cmd->add_option("--m", bench->m_grid, "cloud periods of the grid (default 30 45 60 100)");
  cmd->add_option("--networks", bench->networks, "NAME=MBPS:LATENCY_MS or NAME=TRACE:LATENCY_MS (default wifi-30, wifi-50, lte)");
  cmd->add_option("--server-cameras", bench->server_cameras, "camera counts sending to the model server (default 8 16 32 64 96 128)");
  cmd->add_option("--server-fps", bench->server_fps, "frames per second each of them sends (default 0.5)");
  cmd->add_option("--server-duration", bench->server_duration_s, "seconds per server run (default 20)");
  cmd->add_option("--server-repeats", bench->server_repeats, "runs per camera count, medians reported (default 3)");
  cmd->add_option("--repeats", bench->repeats, "runs of every pairs, grid and networks variant, other seeds each (default 3)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--resume", bench->resume, "read back runs whose reports are there instead of running them again");
  cmd->add_option("-o,--output", bench->out_dir, "folder of reports and plots (default build/reports/bench-react)");

  cmd->callback([&hooks, bench] { hooks.run = [bench] { return bench_react(*bench); }; });
}

}  // namespace

void register_react(system_registry& r) {
  r.add(accepting(react_camera_kind(), types_of<msg::Detections>()));
  if (r.commands)
    add_commands(*r.commands);
}

}  // namespace troupe
