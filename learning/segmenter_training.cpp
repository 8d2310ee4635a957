#include "learning/segmenter_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "actors/penance/core/segmenter_graph.hpp"
#include "learning/detail/atomic_save.hpp"
#include "learning/detail/cosine_rate.hpp"
#include "learning/detail/training_checkpoint.hpp"
#include "learning/penance_inputs.hpp"
#include "learning/segmenter_network.hpp"
#include "vision/metrics.hpp"
#include "vision/street_scene.hpp"

namespace troupe::learning {

namespace {

struct labelled {
  cv::Mat image, labels;
};

// `per_drive` evenly spaced frames of each drive.
std::vector<labelled> render(const std::vector<uint64_t>& seeds, const segmenter_options& o, int per_drive) {
  std::vector<std::vector<labelled>> per(seeds.size());
  vision::street_config c;
  c.width = o.width;
  c.height = o.height;
  c.duration_s = o.drives.drive_s;
  for_each_drive(c, seeds, [&](size_t i, vision::street_scene& drive) {
    size_t every = std::max<size_t>(1, drive.frames() / static_cast<size_t>(per_drive));
    while (!drive.done() && per[i].size() < static_cast<size_t>(per_drive)) {
      auto f = drive.next();
      if (f.index % every == every / 2)
        per[i].push_back({f.image, f.labels});
    }
  });
  std::vector<labelled> all;
  for (auto& p : per)
    all.insert(all.end(), p.begin(), p.end());
  return all;
}

torch::Tensor label_tensor(const cv::Mat& labels) {
  return torch::from_blob(labels.data, {labels.rows, labels.cols}, torch::kUInt8).to(torch::kLong);
}

// A batch of random crops at random scales, half of them mirrored.
std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<labelled>& frames, const segmenter_options& o,
                                              std::mt19937_64& rng) {
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::vector<torch::Tensor> images, labels;
  for (int b = 0; b < o.batch; ++b) {
    auto& f = frames[rng() % frames.size()];
    double scale = o.min_scale + (1 - o.min_scale) * uniform();
    scale = std::max({scale, static_cast<double>(o.crop_width) / o.width, static_cast<double>(o.crop_height) / o.height});
    cv::Size size(std::max(o.crop_width, static_cast<int>(std::lround(o.width * scale))),
                  std::max(o.crop_height, static_cast<int>(std::lround(o.height * scale))));
    cv::Mat image, label;
    cv::resize(f.image, image, size, 0, 0, cv::INTER_AREA);
    cv::resize(f.labels, label, size, 0, 0, cv::INTER_NEAREST);
    cv::Rect crop(static_cast<int>(rng() % static_cast<uint64_t>(size.width - o.crop_width + 1)),
                  static_cast<int>(rng() % static_cast<uint64_t>(size.height - o.crop_height + 1)), o.crop_width,
                  o.crop_height);
    image = image(crop).clone();
    label = label(crop).clone();
    if (rng() & 1) {
      cv::flip(image, image, 1);
      cv::flip(label, label, 1);
    }
    images.push_back(bgr_tensor(image));
    labels.push_back(label_tensor(label));
  }
  return {torch::stack(images), torch::stack(labels)};
}

// Rare classes (poles, people) weigh more: mIoU counts every class alike.
torch::Tensor class_weights(const std::vector<labelled>& frames) {
  std::vector<double> count(vision::street_classes, 1);
  for (auto& f : frames)
    for (auto it = f.labels.begin<uint8_t>(); it != f.labels.end<uint8_t>(); ++it)
      if (*it < vision::street_classes)
        count[*it] += 1;
  auto sorted = count;
  std::sort(sorted.begin(), sorted.end());
  double median = sorted[sorted.size() / 2];
  auto w = torch::empty({vision::street_classes});
  for (int c = 0; c < vision::street_classes; ++c)
    w[c] = std::clamp(std::sqrt(median / count[static_cast<size_t>(c)]), 0.5, 5.0);
  return w;
}

// The mean of per-frame mIoU (the paper's per-segment accuracy), and per class over all
// frames together (which classes the mean loses on).
std::pair<double, std::vector<double>> held_out_miou(torch::jit::Module& m, const std::vector<labelled>& frames) {
  torch::NoGradGuard no_grad;
  m.eval();
  double sum = 0;
  vision::miou_accumulator all(vision::street_ignore);
  for (auto& f : frames) {
    auto logits = m.forward({bgr_tensor(f.image).unsqueeze(0)}).toTensor();
    auto predicted = logits.argmax(1).squeeze(0).to(torch::kUInt8).contiguous();
    cv::Mat labels(f.labels.rows, f.labels.cols, CV_8U, predicted.data_ptr<uint8_t>());
    vision::miou_accumulator acc(vision::street_ignore);
    acc.add(labels, f.labels);
    all.add(labels, f.labels);
    sum += acc.mean_iou();
  }
  m.train();
  std::vector<double> per_class(vision::street_classes, 0);
  for (auto [c, iou] : all.iou_per_class())
    if (c >= 0 && c < vision::street_classes)
      per_class[static_cast<size_t>(c)] = iou;
  return {frames.empty() ? 0 : sum / static_cast<double>(frames.size()), per_class};
}

struct schedule {
  int steps;
  double rate;
  int done_before;  // steps of earlier models, for the progress bar
  int total;
  int model;
};

// Every option that changes what a model's training makes.
std::string settings_key(const segmenter_options& o, int model) {
  std::ostringstream key;
  key << model << ' ' << int(o.family) << ' ' << o.width << 'x' << o.height << ' ' << o.frames_per_drive << ' '
      << o.steps << ' ' << o.finetune_steps << ' ' << o.batch << ' ' << o.crop_width << 'x' << o.crop_height << ' '
      << o.min_scale << ' ' << o.learning_rate << ' ' << o.finetune_rate << ' ' << o.seed << ' '
      << o.drives.train_seed << ' ' << o.drives.train << ' ' << o.drives.drive_s;
  for (int w : o.widths)
    key << " w" << w;
  for (double sp : o.sparsities)
    key << " s" << sp;
  return key.str();
}

// A model's training state at a step, kept in <its output>.checkpoint every
// checkpoint_every_s and at its end, so a stopped training resumes where it was.
struct fit_state {
  int step = 0;
  double recent = 0;
  void write(torch::serialize::OutputArchive& a, const std::vector<torch::Tensor>& params, const torch::optim::Adam& opt,
             const std::mt19937_64& rng) const {
    detail::training_checkpoint::write_tensors(a, "param", params);
    torch::serialize::OutputArchive adam;
    opt.save(adam);
    a.write("optimizer", adam);
    detail::training_checkpoint::write_generator(a, rng);
    a.write("step", c10::IValue(int64_t(step)));
    a.write("recent", c10::IValue(recent));
  }
  void read(torch::serialize::InputArchive& a, const std::vector<torch::Tensor>& params, torch::optim::Adam& opt,
            std::mt19937_64& rng) {
    detail::training_checkpoint::read_tensors(a, "param", params);
    torch::serialize::InputArchive adam;
    a.read("optimizer", adam);
    opt.load(adam);
    detail::training_checkpoint::read_generator(a, rng);
    c10::IValue v;
    a.read("step", v);
    step = int(v.toInt());
    a.read("recent", v);
    recent = v.toDouble();
  }
};

double fit(torch::jit::Module& m, const std::vector<labelled>& frames, const torch::Tensor& weights,
           const segmenter_options& o, const schedule& s, std::mt19937_64& rng, const progress_callback& progress) {
  std::vector<torch::Tensor> params;
  for (const auto& p : m.parameters())
    params.push_back(p);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(s.rate));
  m.train();
  auto loss_of = torch::nn::functional::CrossEntropyFuncOptions().weight(weights).ignore_index(vision::street_ignore);
  detail::training_checkpoint checkpoint(output_for(o, s.model), settings_key(o, s.model));
  fit_state state;
  if (checkpoint.load([&](torch::serialize::InputArchive& a) { state.read(a, params, opt, rng); }))
    spdlog::info("{}: resuming model {} at step {}", checkpoint.path(), s.model, state.step);
  auto save = [&] { checkpoint.save([&](torch::serialize::OutputArchive& a) { state.write(a, params, opt, rng); }); };
  auto saved_at = std::chrono::steady_clock::now();
  double& recent = state.recent;
  for (int& step = state.step; step < s.steps;) {
    double lr = detail::cosine_rate(s.rate, 0.01 * s.rate, step, s.steps);
    for (auto& g : opt.param_groups())
      static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    auto [x, y] = batch(frames, o, rng);
    auto loss = torch::nn::functional::cross_entropy(m.forward({x}).toTensor(), y, loss_of);
    opt.zero_grad();
    loss.backward();
    opt.step();
    double l = loss.item<double>();
    recent = step == 0 ? l : 0.95 * recent + 0.05 * l;
    ++step;
    if (progress)
      progress({s.done_before + step, s.total, recent, "model " + std::to_string(s.model)});
    if (std::chrono::steady_clock::now() - saved_at > std::chrono::duration<double>(o.checkpoint_every_s)) {
      save();
      saved_at = std::chrono::steady_clock::now();
    }
  }
  save();  // a finished model 0 is where its pruned models resume from
  return recent;
}

int64_t parameter_count(const torch::jit::Module& m) {
  int64_t n = 0;
  for (const auto& p : m.parameters())
    n += p.numel();
  return n;
}

}  // namespace

std::vector<segmenter_result> train_segmenters(const segmenter_options& o, const progress_callback& progress) {
  check(o);
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  std::mt19937_64 rng(o.seed);
  auto train = render(o.drives.train_seeds(), o, o.frames_per_drive);
  auto test = render(o.drives.test_seeds(), o, o.eval_frames_per_drive);
  auto weights = class_weights(train);
  auto graph = model0_graph(o);
  int total = o.steps + o.finetune_steps * static_cast<int>(o.sparsities.size());

  std::vector<segmenter_result> results;
  auto finish = [&](torch::jit::Module& m, int model, double sparsity, double keep, double loss, double seconds) {
    segmenter_result r;
    r.model = model;
    r.sparsity = sparsity;
    r.keep = keep;
    r.macs = penance::segmenter_macs(graph_of(m), o.height, o.width);
    std::tie(r.held_out_miou, r.class_iou) = held_out_miou(m, test);
    r.final_loss = loss;
    r.parameters = parameter_count(m);
    r.seconds = seconds;
    r.output = output_for(o, model);
    detail::save_atomically(m, r.output);
    results.push_back(r);
  };
  auto clock = [] { return std::chrono::steady_clock::now(); };
  auto since = [&](auto t0) { return std::chrono::duration<double>(clock() - t0).count(); };

  auto t0 = clock();
  auto model0 = build_segmenter(graph, o.seed);
  double loss = fit(model0, train, weights, o, {o.steps, o.learning_rate, 0, total, 0}, rng, progress);
  finish(model0, 0, 0, 1, loss, since(t0));
  for (size_t k = 0; k < o.sparsities.size(); ++k) {
    auto t = clock();
    double keep = penance::keep_for_sparsity(graph, o.sparsities[k], o.height, o.width);
    auto pruned = prune_segmenter(model0, keep);
    int done = o.steps + o.finetune_steps * static_cast<int>(k);
    loss = o.finetune_steps > 0 ? fit(pruned, train, weights, o,
                                      {o.finetune_steps, o.finetune_rate, done, total, static_cast<int>(k) + 1}, rng,
                                      progress)
                                : 0;
    finish(pruned, static_cast<int>(k) + 1, o.sparsities[k], keep, loss, since(t));
  }
  for (auto& r : results)
    detail::training_checkpoint(r.output, "").remove();
  return results;
}

}  // namespace troupe::learning
