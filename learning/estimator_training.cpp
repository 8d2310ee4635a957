#include "learning/estimator_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "actors/penance/core/bitrate_baseline.hpp"
#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/segment_table.hpp"
#include "learning/detail/atomic_save.hpp"
#include "learning/detail/cosine_rate.hpp"
#include "learning/detail/kept_epoch.hpp"
#include "learning/detail/training_checkpoint.hpp"
#include "learning/penance_inputs.hpp"
#include "learning/penance_networks.hpp"
#include "vision/percentile.hpp"

namespace troupe::learning {

namespace {

// Segments of some drives: halved luma, and the targets of eq. 1.
struct segments {
  std::vector<torch::Tensor> luma;  // u8 frames × h × w each
  std::vector<std::vector<double>> bytes;  // per setting
  std::vector<bool> first;                 // a drive's first segment (Table 1's baseline has no last size for it)
};

// Each drive's segments: lumas drawn again, sizes from its table.
segments load(const estimator_options& o, const std::vector<uint64_t>& seeds, const estimator_shape& shape) {
  auto lumas = segment_lumas(o.data, seeds, shape);
  segments all;
  for (size_t i = 0; i < seeds.size(); ++i) {
    auto table = penance::read_table(table_path(o.data, seeds[i]));
    if (table.segments.size() != lumas[i].size())
      throw std::invalid_argument(table_path(o.data, seeds[i]) + " holds " + std::to_string(table.segments.size()) +
                                  " segments, its drive " + std::to_string(lumas[i].size()));
    for (size_t k = 0; k < lumas[i].size(); ++k) {
      all.luma.push_back(lumas[i][k]);
      all.bytes.emplace_back(table.segments[k].bytes.begin(), table.segments[k].bytes.end());
      all.first.push_back(k == 0);
    }
  }
  return all;
}

// The other settings, in order: the ones r̂ gives a ratio for.
std::vector<size_t> ratio_settings(size_t settings, size_t base) {
  std::vector<size_t> r;
  for (size_t s = 0; s < settings; ++s)
    if (s != base)
      r.push_back(s);
  return r;
}

struct targets {
  torch::Tensor base, ratios;
};

targets targets_of(const segments& d, const std::vector<size_t>& idx, size_t base, const std::vector<size_t>& others,
                   double unit) {
  auto b = torch::empty({static_cast<int64_t>(idx.size())});
  auto r = torch::empty({static_cast<int64_t>(idx.size()), static_cast<int64_t>(others.size())});
  for (size_t k = 0; k < idx.size(); ++k) {
    auto& bytes = d.bytes[idx[k]];
    b[static_cast<int64_t>(k)] = bytes[base] / unit;
    for (size_t j = 0; j < others.size(); ++j)
      r[static_cast<int64_t>(k)][static_cast<int64_t>(j)] = bytes[others[j]] / bytes[base];
  }
  return {b, r};
}

torch::Tensor inputs_of(const segments& d, const std::vector<size_t>& idx) {
  std::vector<torch::Tensor> x;
  for (auto i : idx)
    x.push_back(d.luma[i]);
  return luma_batch(x);
}

// Eq. 1 (its argmax read as argmin): squared error of the base and of every ratio.
torch::Tensor loss_of(torch::jit::Module& m, const torch::Tensor& x, const targets& t) {
  auto out = m.forward({x}).toTuple();
  auto base = out->elements()[0].toTensor(), ratios = out->elements()[1].toTensor();
  return ((base - t.base).pow(2) + (ratios - t.ratios).pow(2).sum(1)).mean();
}

std::vector<size_t> range(size_t from, size_t to) {
  std::vector<size_t> r;
  for (size_t i = from; i < to; ++i)
    r.push_back(i);
  return r;
}

// What makes a checkpoint this run's: every option that changes the training.
std::string settings_key(const estimator_options& o, const estimator_shape& shape) {
  std::ostringstream key;
  key << o.epochs << ' ' << o.batch << ' ' << o.learning_rate << ' ' << o.final_rate << ' ' << o.weight_decay << ' '
      << o.validation_drives << ' ' << o.base_unit_bytes << ' ' << o.seed << ' ' << shape.frames << ' '
      << shape.height << ' ' << shape.width << ' ' << shape.settings << ' ' << o.data.drives.train_seed << ' '
      << o.data.drives.train << ' ' << o.data.folder;
  return key.str();
}

}  // namespace

estimator_result train_estimator(const estimator_options& o, const progress_callback& progress) {
  auto t0 = std::chrono::steady_clock::now();
  if (o.epochs < 1 || o.batch < 1 || !(o.learning_rate > 0) || !(o.final_rate > 0) || o.weight_decay < 0 ||
      o.validation_drives < 0 || o.validation_drives >= o.data.drives.train || !(o.base_unit_bytes > 0))
    throw std::invalid_argument("train-penance estimator: epochs, batch, rates and a validation share of the training "
                                "drives that leaves some to train on");
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  penance::config_space space(o.data.space);
  estimator_shape shape;
  shape.frames = penance::frames_per_segment(o.data.fps, o.data.segment_s);
  shape.height = o.data.height / 2;
  shape.width = o.data.width / 2;
  shape.settings = static_cast<int>(space.settings());
  shape.base_unit_bytes = o.base_unit_bytes;
  size_t base = penance::costliest_setting(space);
  auto others = ratio_settings(space.settings(), base);

  auto train_seeds = o.data.drives.train_seeds();
  std::vector<uint64_t> fit_seeds(train_seeds.begin(), train_seeds.end() - o.validation_drives);
  std::vector<uint64_t> validation_seeds(train_seeds.end() - o.validation_drives, train_seeds.end());
  auto fit = load(o, fit_seeds, shape);
  auto validation = load(o, validation_seeds, shape);
  auto test = load(o, o.data.drives.test_seeds(), shape);
  at::set_num_threads(threads);

  auto net = build_estimator(shape, o.seed);
  std::vector<torch::Tensor> params;
  for (const auto& p : net.parameters())
    params.push_back(p);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(o.learning_rate).weight_decay(o.weight_decay));
  detail::kept_epoch kept;
  std::mt19937_64 rng(o.seed);
  detail::training_checkpoint checkpoint(o.output, settings_key(o, shape));

  auto validation_idx = range(0, validation.luma.size());
  auto validation_targets = targets_of(validation, validation_idx, base, others, o.base_unit_bytes);
  auto validation_x = validation.luma.empty() ? torch::Tensor() : inputs_of(validation, validation_idx);
  estimator_result r;
  for (int epoch = checkpoint.resume(params, opt, kept, rng); epoch < o.epochs; ++epoch) {
    double lr = detail::cosine_rate(o.learning_rate, o.final_rate, epoch, o.epochs);
    for (auto& g : opt.param_groups())
      static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    auto order = range(0, fit.luma.size());  // each epoch's order from the generator alone: a resume repeats it
    std::shuffle(order.begin(), order.end(), rng);
    net.train();
    double sum = 0;
    size_t steps = 0;
    for (size_t at = 0; at < order.size(); at += static_cast<size_t>(o.batch)) {
      std::vector<size_t> idx(order.begin() + static_cast<long>(at),
                              order.begin() + static_cast<long>(std::min(order.size(), at + static_cast<size_t>(o.batch))));
      auto loss = loss_of(net, inputs_of(fit, idx), targets_of(fit, idx, base, others, o.base_unit_bytes));
      opt.zero_grad();
      loss.backward();
      opt.step();
      sum += loss.item<double>();
      ++steps;
    }
    double v = 0;
    if (!validation.luma.empty()) {
      torch::NoGradGuard no_grad;
      net.eval();
      v = loss_of(net, validation_x, validation_targets).item<double>();
    }
    kept.offer(epoch + 1, v, !validation.luma.empty(), params);
    checkpoint.save(epoch + 1, params, opt, kept, rng);
    if (progress)
      progress({epoch + 1, o.epochs, sum / static_cast<double>(std::max<size_t>(1, steps)),
                "validation " + std::to_string(v).substr(0, 6)});
  }
  kept.restore(params);
  r.kept_epoch = kept.epoch();
  r.validation_loss = kept.error();

  // Table 1 on the test drives: every setting's predicted size against the real encode,
  // on the segments the baseline predicts too (each drive's first has no last size).
  net.eval();
  std::vector<double> errors;
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < test.luma.size(); ++i) {
      if (test.first[i])
        continue;
      auto out = net.forward({inputs_of(test, {i})}).toTuple();
      double b = out->elements()[0].toTensor().item<double>() * o.base_unit_bytes;
      auto predicted = estimated_sizes(b, out->elements()[1].toTensor()[0], space.settings(), base);
      for (size_t s = 0; s < space.settings(); ++s)
        errors.push_back(100 * std::abs(predicted[s] - test.bytes[i][s]) / test.bytes[i][s]);
    }
  }
  r.mean_error = vision::mean(errors);
  r.median_error = vision::median(errors);
  auto sizes_of = [&](const std::vector<uint64_t>& seeds) {
    penance::size_table t;
    for (auto seed : seeds) {
      auto& video = t.emplace_back();
      for (auto& row : penance::read_table(table_path(o.data, seed)).segments)
        video.emplace_back(row.bytes.begin(), row.bytes.end());
    }
    return t;
  };
  auto baseline = penance::baseline_errors(penance::bitrate_baseline(sizes_of(train_seeds), base),
                                           sizes_of(o.data.drives.test_seeds()), base);
  r.baseline_mean_error = vision::mean(baseline);
  r.baseline_median_error = vision::median(baseline);

  r.macs = estimator_macs(shape);
  estimator_shape paper = shape;
  paper.height = 360;
  paper.width = 640;
  r.paper_input_macs = estimator_macs(paper);
  r.receptive_field = 2 * estimator_receptive_field();
  at::set_num_threads(1);
  std::vector<double> ms;
  {
    torch::NoGradGuard no_grad;
    auto x = inputs_of(test.luma.empty() ? fit : test, {0});
    for (int k = 0; k < 21; ++k) {
      auto t = std::chrono::steady_clock::now();
      net.forward({x});
      if (k > 0)
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    }
  }
  r.ms_per_segment = vision::median(ms);
  r.output = o.output;
  detail::save_atomically(net, o.output);
  checkpoint.remove();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace troupe::learning
