// ReMO's Region Scheduler decision (Algorithm 1) per 1-second slot: time on one core
// for 4 to 16 cameras (25 frames, 4 regions each, a third of later regions needing
// detection), and the gap to the exact optimum on instances small enough to enumerate.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include <CLI/CLI.hpp>

#include "policies/remo_scheduler.hpp"

using namespace troupe::remo;

namespace {

slot_model make_model(int cameras, int regions, int frames, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  slot_model m;
  m.cameras.resize(cameras + 1);
  m.bandwidth.assign(cameras + 1, std::vector<double>(cameras + 1, 10));  // 80 Mbit/s between cameras
  for (int i = 1; i <= cameras; ++i) {
    auto& c = m.cameras[i];
    for (int r = 0; r < regions; ++r)
      c.region_area.push_back(0.92 / regions * (0.5 + u(rng)));  // 720p split in regions
    c.frame_area = 0.92;
    c.accuracy = 0.5 + 0.4 * u(rng);
    c.fixed_s = 0.01 + 0.02 * u(rng);
    c.s_per_megapixel = 0.02 + 0.1 * u(rng);
    c.drift = 0.85 + 0.1 * u(rng);
    m.bandwidth[i][0] = 2;  // 16 Mbit/s to the server
  }
  m.server_accuracy = 0.95;
  m.alpha = 0.1;
  m.frames = frames;
  m.omega = 0.5;
  m.v = 0.7;
  return m;
}

std::pair<schedule, std::vector<movable_region>> make_slot(const slot_model& m, int one_in, std::mt19937_64& rng) {
  schedule x(m.cameras.size());
  std::vector<movable_region> movable;
  for (size_t i = 1; i < m.cameras.size(); ++i)
    for (int f = 0; f < m.frames; ++f) {
      x[i].emplace_back();
      for (size_t r = 0; r < m.cameras[i].region_area.size(); ++r) {
        bool detect = f > 0 && rng() % one_in == 0;
        x[i][f].push_back(f == 0 ? server : detect ? int(i) : tracked);
        if (detect)
          movable.push_back({int(i), f, int(r)});
      }
    }
  return {x, movable};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

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
      auto m = make_model(cameras, 4, 25, rng);
      auto [x, movable] = make_slot(m, 3, rng);
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
    auto m = make_model(3, 2, 3, rng);
    auto [x, movable] = make_slot(m, 2, rng);
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
