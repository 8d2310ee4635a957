// What OctoCross's scheduler costs on one core (octocross.txt §5.4, Fig. 10 and Fig. 9c):
// a decision — the model on the last τ seconds, then the mask and projection — at N
// nodes for each learned model and the model-free greedy; and a finetune of 1000 epochs
// for a lost node (encoder outputs cached) and for a new one, on 900 s of samples.
// (Training's cost is what `troupe train-octocross` prints.)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>

#include <CLI/CLI.hpp>

#include "actors/octocross/core/offload_projection.hpp"
#include "learning/octocross_model.hpp"
#include "learning/torchscript_detector.hpp"
#include "vision/percentile.hpp"

using namespace troupe::octocross;
using troupe::vision::median;

namespace {

// n nodes on a line, `seconds` samples of a bursty periodic load around μ.
cluster_recording cluster(size_t n, size_t seconds, std::mt19937_64& rng) {
  cluster_recording r;
  for (size_t i = 0; i < n; ++i)
    r.nodes.push_back("node" + std::to_string(i));
  for (size_t i = 0; i + 1 < n; ++i)
    r.edges.emplace_back(i, i + 1);
  std::uniform_real_distribution<double> noise(0.8, 1.2);
  for (size_t t = 0; t < seconds; ++t) {
    auto s = cluster_sample::empty(n, double(t));
    for (size_t i = 0; i < n; ++i) {
      s.objects[i] = 40 * noise(rng) * (1 + 0.5 * std::sin(double(t + 7 * i) / 20));
      s.mu[i] = 50;
      s.busy[i] = std::min(1.0, s.objects[i] / 50);
      s.up[i] = true;
      for (size_t j = 0; j < n; ++j)
        if (j != i)
          s.delay_ms[i][j] = 10 + double((i + j) % 7);
    }
    r.samples.push_back(s);
  }
  return r;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

// One decision as the scheduler takes it: the state, the model (or none), the greedy
// offloads when there is no head, the mask and the projection.
double decision_ms(const offload_model* model, const cluster_recording& r, size_t tau) {
  auto started = std::chrono::steady_clock::now();
  auto state = state_before(r, r.samples.size(), tau);
  std::vector<node_outlook> nodes;
  matrix m;
  if (model) {
    auto d = model->decide(state);
    for (size_t i = 0; i < d.forecast.size(); ++i) {
      double mean = 0;
      for (size_t t = 0; t < 15 && t < d.forecast[i].size(); ++t)
        mean += d.forecast[i][t] / 15;
      nodes.push_back({mean, state.mu[i]});
    }
    m = d.offload.empty() ? greedy_offloads(nodes, state.up) : d.offload;
  } else {
    for (size_t i = 0; i < state.mu.size(); ++i)
      nodes.push_back({state.history[i].back(), state.mu[i]});
    m = greedy_offloads(nodes, state.up);
  }
  project(m, nodes, offload_mask(nodes, state.up, state.a_net), {});
  return ms_since(started);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("OctoCross's decision, training and finetuning costs on one core");
  std::vector<size_t> sizes = {16, 26, 100};
  int decisions = 30, threads = 1;
  bool quick = false;
  app.add_option("--nodes", sizes, "cluster sizes N (default 16 26 100)");
  app.add_option("--decisions", decisions, "decisions timed per size and model (default 30)");
  app.add_option("--threads", threads, "libtorch threads (default 1: one core, as the issue's bar)");
  app.add_flag("--quick", quick, "10 finetune epochs instead of 1000 (a smoke run)");
  CLI11_PARSE(app, argc, argv);
  troupe::learning::set_torch_threads(threads);
  std::mt19937_64 rng(1);
  model_shape shape;
  std::printf("decision on %d thread(s), p50 (min-max) of %d, ms — the issue's bar: 15/30/150 at N = 16/26/100\n",
              threads, decisions);
  std::printf("%-10s", "N");
  for (auto n : sizes)
    std::printf("%22zu", n);
  std::printf("\n");
  std::vector<model_variant> variants = {model_variant::octocross, model_variant::temp_abl, model_variant::spat_abl,
                                         model_variant::gnn_lstm};
  std::vector<cluster_recording> clusters;
  for (auto n : sizes)
    clusters.push_back(cluster(n, shape.tau, rng));
  for (int v = -1; v < int(variants.size()); ++v) {
    std::printf("%-10s", v < 0 ? "greedy" : variant_name(variants[size_t(v)]));
    for (size_t k = 0; k < sizes.size(); ++k) {
      auto s = shape;
      if (v >= 0)
        s.variant = variants[size_t(v)];
      auto model = v < 0 ? nullptr : troupe::learning::untrained_octocross_model(s, 100, clusters[k].nodes);
      std::vector<double> times;
      for (int i = 0; i < decisions; ++i)
        times.push_back(decision_ms(model.get(), clusters[k], shape.tau));
      char cell[64];
      std::snprintf(cell, sizeof(cell), "%.2f (%.2f-%.2f)", median(times), *std::min_element(times.begin(), times.end()),
                    *std::max_element(times.begin(), times.end()));
      std::printf("%22s", cell);
      std::fflush(stdout);
    }
    std::printf("\n");
  }
  // Finetunes on 900 s of a 16-node cluster (the scheduler's keep_s).
  auto data = cluster(16, 900, rng);
  int epochs = quick ? 10 : 1000;
  auto known = data.nodes;
  known.pop_back();  // node15 is new to it
  auto model = troupe::learning::untrained_octocross_model(shape, 100, known);
  for (bool lost : {true, false}) {
    auto started = std::chrono::steady_clock::now();
    model->finetuned({data, {15}, lost, epochs, {}});
    std::printf("finetune, %s node, N = 16, %d epochs on 900 s: %.1f s (the issue's bar: %s)\n", lost ? "lost" : "new",
                epochs, ms_since(started) / 1000, lost ? "30 s" : "10 min");
    std::fflush(stdout);
  }
  return 0;
}
