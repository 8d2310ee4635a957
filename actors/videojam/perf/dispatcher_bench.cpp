// VideoJam's decision per window on one core: the forecasts of every row of the state
// table (naive, and the dense network of §3.5.1 with h = 50, k = 10, 512 units) and
// the Dispatcher (eqs. 3.1–3.4, Algorithm 1), for 2 to 32 replicas of a function.
#include <chrono>
#include <cstdio>
#include <random>

#include <CLI/CLI.hpp>

#include "actors/videojam/core/dispatcher.hpp"
#include "actors/videojam/core/forecaster.hpp"
#include "vision/percentile.hpp"

using namespace troupe::videojam;
using troupe::vision::median;

namespace {

// A dense network of the thesis's shape with random weights: same cost as a trained one.
dense_weights random_network(std::mt19937_64& rng) {
  dense_weights w;
  std::normal_distribution<float> n(0, 0.05f);
  for (auto* v : {&w.w1, &w.b1, &w.w2, &w.b2})
    v->clear();
  for (size_t i = 0; i < w.units * w.h; ++i)
    w.w1.push_back(n(rng));
  w.b1.assign(w.units, 0);
  for (size_t i = 0; i < w.k * w.units; ++i)
    w.w2.push_back(n(rng));
  w.b2.assign(w.k, 0);
  return w;
}

double elapsed_us(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  int windows = 200;
  CLI::App app{"videojam_dispatcher_bench: forecasts and Dispatcher time per window"};
  app.add_option("--windows", windows, "windows per table size");
  CLI11_PARSE(app, argc, argv);
  std::mt19937_64 rng(1);
  naive_forecaster naive(10);
  dense_forecaster dense(random_network(rng));
  std::uniform_real_distribution<double> load(0, 40);
  std::printf("replicas  naive forecasts us  dense forecasts us  dispatcher us  transfers (median per window, %d windows)\n",
              windows);
  for (int replicas : {2, 5, 10, 20, 32}) {
    std::vector<double> naive_us, dense_us, dispatch_us, transfers;
    for (int w = 0; w < windows; ++w) {
      std::vector<std::vector<double>> histories(size_t(replicas), std::vector<double>(50));
      for (auto& h : histories)
        for (auto& v : h)
          v = load(rng);
      auto t0 = std::chrono::steady_clock::now();
      for (auto& h : histories)
        naive.forecast(h);
      naive_us.push_back(elapsed_us(t0));
      std::vector<std::vector<double>> forecasts;
      auto t1 = std::chrono::steady_clock::now();
      for (auto& h : histories)
        forecasts.push_back(dense.forecast(h));
      dense_us.push_back(elapsed_us(t1));
      std::vector<replica_view> rows;
      for (int r = 0; r < replicas; ++r)
        rows.push_back({"r" + std::to_string(r), 5 + load(rng), load(rng),
                        {histories[size_t(r)].end() - 10, histories[size_t(r)].end()}, 0, forecasts[size_t(r)], r == 0});
      auto t2 = std::chrono::steady_clock::now();
      auto d = dispatcher(rows);
      dispatch_us.push_back(elapsed_us(t2));
      transfers.push_back(double(d.transfers.size()));
    }
    std::printf("%8d  %18.1f  %18.1f  %13.1f  %9.0f\n", replicas, median(naive_us), median(dense_us),
                median(dispatch_us), median(transfers));
  }
  return 0;
}
