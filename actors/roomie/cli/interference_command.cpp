#include "actors/roomie/cli/interference_command.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "gpu/model/co_run.hpp"
#include "actors/roomie/core/interference_estimate.hpp"

namespace troupe {

using namespace gpu;
using namespace roomie;

namespace {

// Each model's steady μ in the reference simulation, per alignment: [model][alignment].
std::vector<std::vector<double>> simulated(const std::vector<model_profile>& models, share_policy share,
                                           const gpu_arch& arch, const interference_options& o) {
  std::vector<const std::vector<kernel_cost>*> kernels;
  for (auto& m : models)
    kernels.push_back(&m.kernels);
  std::vector<std::vector<double>> mu(models.size());
  for (auto& drops : drops_over_alignments(kernels, o.alignments, o.seed, share, arch))
    for (size_t i = 0; i < models.size(); ++i)
      mu[i].push_back(drops[i]);
  return mu;
}

}  // namespace

int interference_command(const interference_options& o) {
  if (o.starts < 1 || o.alignments < 1)
    throw std::runtime_error("--starts and --alignments must be at least 1");
  auto share = parse_share_policy(o.share);
  auto archs = load_gpu_archs(o.archs);
  std::vector<model_profile> models;
  std::string arch_name;
  std::printf("%-28s %-6s %7s %9s %7s %8s\n", "model", "arch", "kernels", "T (ms)", "mean o", "mem MB");
  for (auto& file : o.traces) {
    auto trace = read_kernel_trace(file);
    if (!arch_name.empty() && trace.arch != arch_name)
      throw std::runtime_error(file + ": arch " + trace.arch + ", the others' " + arch_name + ": one GPU, one arch");
    arch_name = trace.arch;
    models.push_back(profile_of(trace, find_arch(archs, trace.arch)));
    double o_sum = 0;
    for (auto& k : models.back().kernels)
      o_sum += k.occupancy;
    std::printf("%-28s %-6s %7zu %9.3f %7.3f %8.0f\n", models.back().id.c_str(), trace.arch.c_str(),
                models.back().kernels.size(), models.back().total_us / 1000, o_sum / double(models.back().kernels.size()),
                trace.mem_mb);
  }
  auto& arch = find_arch(archs, arch_name);
  delay_cache cache(o.starts);
  std::vector<const model_profile*> set;
  for (auto& m : models)
    set.push_back(&m);
  auto estimated = performance_drop(set, cache);
  auto truth = simulated(models, share, arch, o);
  std::printf("\nco-located on one %s (share %s): μ by Alg. 2 (n = %d) beside the reference simulation "
              "(%d alignments, median (min-max))\n",
              arch.arch.c_str(), o.share.c_str(), o.starts, o.alignments);
  for (size_t i = 0; i < models.size(); ++i) {
    auto [lo, hi] = std::minmax_element(truth[i].begin(), truth[i].end());
    std::printf("%-28s estimated %6.3f   simulated %6.3f (%.3f-%.3f)\n", models[i].id.c_str(), estimated[i],
                median_of(truth[i]), *lo, *hi);
  }
  return 0;
}

}  // namespace troupe
