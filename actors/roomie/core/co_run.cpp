#include "actors/roomie/core/co_run.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace troupe::roomie {

namespace {

struct running {
  size_t kernel = 0;
  double left_us = 0;      // standalone time left of the current kernel
  double since_us = 0;     // when the current kernel started
  bool started = false, done = false;
};

}  // namespace

co_run_result co_run(const std::vector<gpu_stream>& streams, share_policy policy, const gpu_arch& a,
                     double horizon_us) {
  auto looping = std::any_of(streams.begin(), streams.end(), [](auto& s) { return s.loop; });
  if (looping && !std::isfinite(horizon_us))
    throw std::invalid_argument("co_run: a looping stream needs a finite horizon");
  co_run_result out;
  out.finish_us.assign(streams.size(), std::nan(""));
  out.work_us.assign(streams.size(), 0);
  std::vector<running> state(streams.size());
  for (size_t i = 0; i < streams.size(); ++i)
    if (!streams[i].kernels || streams[i].kernels->empty() || streams[i].first >= streams[i].kernels->size())
      throw std::invalid_argument("co_run: a stream needs kernels and a first kernel among them");
  double now = 0;
  while (true) {
    for (size_t i = 0; i < streams.size(); ++i)  // streams due start
      if (!state[i].started && streams[i].start_us <= now) {
        state[i] = {streams[i].first, (*streams[i].kernels)[streams[i].first].duration_us, now, true, false};
      }
    std::vector<size_t> active;
    double next_start = std::numeric_limits<double>::infinity();
    for (size_t i = 0; i < streams.size(); ++i) {
      if (state[i].started && !state[i].done)
        active.push_back(i);
      else if (!state[i].started)
        next_start = std::min(next_start, streams[i].start_us);
    }
    if (active.empty() && !std::isfinite(next_start))
      break;
    if (now >= horizon_us)
      break;
    std::stable_sort(active.begin(), active.end(), [&](size_t x, size_t y) {
      if (policy == share_policy::priority && streams[x].priority != streams[y].priority)
        return streams[x].priority < streams[y].priority;
      return state[x].since_us < state[y].since_us;
    });
    std::vector<const kernel_cost*> kernels;
    for (auto i : active)
      kernels.push_back(&(*streams[i].kernels)[state[i].kernel]);
    auto blocks = adjusted_blocks(kernels, policy, a);
    std::vector<double> speed(active.size());
    double step = std::min(next_start, horizon_us) - now;
    for (size_t x = 0; x < active.size(); ++x) {
      speed[x] = occupancy(kernels[x]->shape, blocks[x], a) / kernels[x]->occupancy;  // õ/o (Eq. 4.3)
      if (speed[x] > 0)
        step = std::min(step, state[active[x]].left_us / speed[x]);
    }
    now += step;
    for (size_t x = 0; x < active.size(); ++x) {
      auto i = active[x];
      auto& s = state[i];
      auto done_us = std::min(s.left_us, speed[x] * step);
      s.left_us -= done_us;
      out.work_us[i] += done_us;
      if (s.left_us > 1e-9 * kernels[x]->duration_us)
        continue;
      auto& list = *streams[i].kernels;
      if (++s.kernel == list.size()) {
        if (!streams[i].loop) {
          s.done = true;
          out.finish_us[i] = now;
          continue;
        }
        s.kernel = 0;
      }
      s.left_us = list[s.kernel].duration_us;
      s.since_us = now;
    }
  }
  out.end_us = now;
  return out;
}

std::vector<double> steady_drop(const std::vector<const std::vector<kernel_cost>*>& models,
                                const std::vector<size_t>& first, share_policy policy, const gpu_arch& a,
                                double horizon_us) {
  std::vector<gpu_stream> streams;
  for (size_t i = 0; i < models.size(); ++i)
    streams.push_back({models[i], first[i], 0, true, int(i)});
  auto run = co_run(streams, policy, a, horizon_us);
  std::vector<double> mu;
  for (auto w : run.work_us)
    mu.push_back(w > 0 ? horizon_us / w - 1 : std::numeric_limits<double>::infinity());
  return mu;
}

std::vector<std::vector<double>> drops_over_alignments(const std::vector<const std::vector<kernel_cost>*>& models,
                                                       int alignments, uint64_t seed, share_policy policy,
                                                       const gpu_arch& a) {
  double longest = 0;
  for (auto* m : models) {
    double t = 0;
    for (auto& k : *m)
      t += k.duration_us;
    longest = std::max(longest, t);
  }
  std::mt19937_64 rng(seed);
  std::vector<std::vector<double>> out;
  for (int i = 0; i < alignments; ++i) {
    std::vector<size_t> first;
    for (auto* m : models)
      first.push_back(std::uniform_int_distribution<size_t>(0, m->size() - 1)(rng));
    out.push_back(steady_drop(models, first, policy, a, 4 * longest));
  }
  return out;
}

}  // namespace troupe::roomie
