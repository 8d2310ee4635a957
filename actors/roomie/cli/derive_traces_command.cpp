#include "actors/roomie/cli/derive_traces_command.hpp"

#include <cstdio>

#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

int derive_traces_command(const learning::derive_traces_options& o) {
  progress_bar bar("derive-traces");
  auto files = plugin_derive_traces(o, [&](const learning::training_progress& p) { bar.update(p.done, p.total, p.detail); });
  std::printf("%-58s %7s %10s %8s\n", "trace (derived, not measured)", "kernels", "T (ms)", "mem MB");
  for (auto& f : files)
    std::printf("%-58s %7zu %10.3f %8.0f\n", f.path.c_str(), f.kernels, f.total_us / 1000, f.mem_mb);
  log::result("wrote " + std::to_string(files.size()) + " traces under " + o.output);
  return 0;
}

}  // namespace troupe
