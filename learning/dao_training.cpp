#include "learning/dao_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/segment_table.hpp"
#include "learning/detail/atomic_save.hpp"
#include "learning/penance_inputs.hpp"
#include "learning/penance_networks.hpp"

namespace troupe::learning {

namespace {

// Every segment's first frame through the frozen segmenter (its probabilities on the
// grid, as u8 / 255: what the saved module computes) and its true first-frame mIoU at
// every configuration.
struct examples {
  torch::Tensor grids, accuracy;  // N × classes × H × W, N × configs
  double profile_mae = 0;         // the video's first frame standing in for every segment
};

examples examples_of(const dao_options& o, const std::vector<uint64_t>& seeds, torch::jit::Module& backbone) {
  penance::config_space space(o.data.space);
  int frames = penance::frames_per_segment(o.data.fps, o.data.segment_s);
  std::vector<penance::drive_table> tables;
  for (auto seed : seeds)
    tables.push_back(penance::read_table(table_path(o.data, seed)));
  std::vector<std::vector<cv::Mat>> firsts(seeds.size());
  for_each_drive(drive_config(o.data), seeds, [&](size_t i, vision::street_scene& drive) {
    for (size_t f = 0; !drive.done(); ++f) {
      auto frame = drive.next();
      if (f % static_cast<size_t>(frames) == 0 && firsts[i].size() < tables[i].segments.size())
        firsts[i].push_back(frame.image);
    }
  });
  cv::Size grid(o.data.softmax_width, o.data.softmax_height);
  std::vector<torch::Tensor> xs, ys;
  double profile_error = 0;
  size_t profile_n = 0;
  for (size_t i = 0; i < seeds.size(); ++i)
    for (size_t k = 0; k < firsts[i].size(); ++k) {
      xs.push_back(run_edge_model(backbone, {firsts[i][k]}, grid).last_probabilities.to(torch::kFloat32) / 255);
      std::vector<float> y;
      for (size_t c = 0; c < space.configs(); ++c) {
        auto cfg = space.config_at(c);
        double a = tables[i].first_frame_accuracy(k, cfg.setting, static_cast<size_t>(cfg.model), false);
        y.push_back(static_cast<float>(a));
        profile_error += std::abs(a - tables[i].first_frame_accuracy(0, cfg.setting, static_cast<size_t>(cfg.model), false));
        ++profile_n;
      }
      ys.push_back(torch::tensor(y));
    }
  if (xs.empty())
    throw std::invalid_argument("train-penance dao: the tables hold no segments");
  return {torch::stack(xs), torch::stack(ys), profile_n ? profile_error / static_cast<double>(profile_n) : 0};
}

double mae(torch::jit::Module& head, const examples& e) {
  torch::NoGradGuard no_grad;
  return (torch::sigmoid(head.forward({e.grids}).toTensor()) - e.accuracy).abs().mean().item<double>();
}

torch::jit::Module saved(torch::jit::Module& backbone, torch::jit::Module& head, const dao_options& o, size_t configs) {
  torch::jit::Module m("dao_c");
  m.register_module("segmenter", backbone);
  m.register_module("head", head);
  m.define("def forward(self, image):\n"
           "    p = torch.softmax(self.segmenter.forward(image), 1)\n"
           "    p = torch.round(torch.adaptive_avg_pool2d(p, [" + std::to_string(o.data.softmax_height) + ", " +
           std::to_string(o.data.softmax_width) + "]) * 255) / 255\n"
           "    return torch.sigmoid(self.head.forward(p))\n"
           "def configs(self) -> int:\n    return " + std::to_string(configs) + "\n");
  return m;
}

}  // namespace

dao_result train_dao(const dao_options& o, const progress_callback& progress) {
  auto t0 = std::chrono::steady_clock::now();
  if (o.epochs < 1 || o.batch < 1 || !(o.learning_rate > 0))
    throw std::invalid_argument("train-penance dao: epochs, batch and learning rate must be positive");
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  penance::config_space space(o.data.space);
  torch::jit::Module backbone;
  try {
    backbone = torch::jit::load(o.backbone);
  } catch (const std::exception& e) {
    throw std::invalid_argument("train-penance dao: cannot open the backbone " + o.backbone + " (troupe " +
                                "train-segmenters --family mobile -o 'build/models/mobile-{v}.pt'): " + e.what());
  }
  backbone.eval();
  for (auto p : backbone.parameters())
    p.set_requires_grad(false);  // frozen
  int classes = static_cast<int>(backbone.run_method("classes").toInt());
  auto first = penance::read_table(table_path(o.data, o.data.drives.train_seeds().front()));
  if (classes != first.key.classes)
    throw std::invalid_argument("train-penance dao: the backbone " + o.backbone + " gives " + std::to_string(classes) +
                                " classes, the tables " + std::to_string(first.key.classes));
  auto train = examples_of(o, o.data.drives.train_seeds(), backbone);
  auto test = examples_of(o, o.data.drives.test_seeds(), backbone);
  auto head = build_performance_encoder({classes, o.data.softmax_height, o.data.softmax_width,
                                         static_cast<int>(space.configs())}, o.seed);
  std::vector<torch::Tensor> params;
  for (const auto& p : head.parameters())
    params.push_back(p);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(o.learning_rate));
  auto n = train.grids.size(0);
  torch::manual_seed(o.seed);  // the minibatches' order
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    auto order = torch::randperm(n, torch::TensorOptions().dtype(torch::kLong));
    double sum = 0;
    int steps = 0;
    for (int64_t at = 0; at < n; at += o.batch) {
      auto idx = order.slice(0, at, std::min<int64_t>(n, at + o.batch));
      auto loss = torch::mse_loss(torch::sigmoid(head.forward({train.grids.index_select(0, idx)}).toTensor()),
                                  train.accuracy.index_select(0, idx));
      adam.zero_grad();
      loss.backward();
      adam.step();
      sum += loss.item<double>();
      ++steps;
    }
    if (progress)
      progress({epoch, o.epochs, sum / steps, "epoch " + std::to_string(epoch)});
  }
  dao_result r;
  r.train_mae = mae(head, train);
  r.test_mae = mae(head, test);
  r.test_mae_profile = test.profile_mae;
  detail::save_atomically(saved(backbone, head, o, space.configs()), o.output);
  r.output = o.output;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace troupe::learning
