// ReMO's Region Scheduler decision (Algorithm 1) per 1-second slot: time on one core
// for 4 to 16 cameras (25 frames, 4 regions each, a third of later regions needing
// detection), and the gap to the exact optimum on instances small enough to enumerate.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include <CLI/CLI.hpp>

#include "actors/remo/core/instances.hpp"
#include "vision/percentile.hpp"

using namespace troupe::remo;
using troupe::vision::median;

int main(int argc, char** argv) {
  int slots = 50, iterations = 200;
  double tau = 0.1;
  CLI::App app{"remo_scheduler_bench: Algorithm 1's time per slot and its gap to the optimum"};
  app.add_option("--slots", slots, "slots per camera count");
  app.add_option("--iterations", iterations, "iteration cap");
  app.add_option("--tau", tau, "τ");
  double delta = 0.01;
  app.add_option("--stagnation-delta", delta, "stop after 10 moves each changing g by less (paper: 0.01)");
  CLI11_PARSE(app, argc, argv);
  markov_settings s;
  s.tau = tau;
  s.max_iterations = iterations;
  s.stagnation_delta = delta;
  std::mt19937_64 rng(1);
  std::printf("time per slot decision (25 frames, 4 regions per camera, q = 1), %d slots each:\n", slots);
  for (int cameras : {4, 8, 12, 16}) {
    std::vector<double> ms, moves;
    for (int k = 0; k < slots; ++k) {
      auto m = random_slot_model(cameras, 4, 25, rng);
      auto [x, movable] = random_slot(m, 3, rng);
      auto start = std::chrono::steady_clock::now();
      auto d = markov_schedule(m, x, movable, 1.0, s, rng);
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      moves.push_back(d.iterations);
    }
    std::printf("  %2d cameras: median %.2f ms, max %.2f ms, median %.0f moves\n", cameras, median(ms),
                *std::max_element(ms.begin(), ms.end()), median(moves));
  }
  std::vector<double> gaps;
  int optimal = 0;
  for (int k = 0; k < 4 * slots; ++k) {
    auto m = random_slot_model(3, 2, 3, rng);
    auto [x, movable] = random_slot(m, 2, rng);
    if (movable.empty() || movable.size() > 9)
      continue;
    auto exact = exact_schedule(m, x, movable, 1.0);
    auto found = markov_schedule(m, x, movable, 1.0, s, rng);
    gaps.push_back((found.g - exact.g) / std::abs(exact.g));
    optimal += found.g <= exact.g + 1e-12;
  }
  std::printf("gap to the exact optimum (3 cameras, 3 frames, 2 regions, <= 9 movable regions): "
              "median %.4f, max %.4f, optimal in %d of %zu\n", median(gaps), *std::max_element(gaps.begin(), gaps.end()),
              optimal, gaps.size());
  return 0;
}
