#include "learning/detector_training.hpp"

#include <chrono>
#include <cmath>

#include <torch/torch.h>

#include "learning/detector_network.hpp"
#include "learning/torchscript_detector.hpp"
#include "vision/metrics.hpp"
#include "vision/synthetic_scene.hpp"
#include "vision/yolo_output.hpp"

namespace troupe::learning {

namespace {

constexpr uint64_t held_out_seeds = 1'000'000;  // evaluation scenes start here

// Synthetic scenes of varied ground and density, sampled in turn, a few frames apart.
class scene_sampler {
 public:
  scene_sampler(int scenes, uint64_t seed) {
    for (int i = 0; i < scenes; ++i) {
      vision::scene_config c;
      c.seed = seed + i;
      c.fps = 5;
      c.ground = i % 2 == 0 ? vision::scene_ground::floor : vision::scene_ground::road;
      c.schedule = {{0, 0.5 + 0.25 * (i % 7)}};
      scenes_.emplace_back(c);
      for (int warm = 0; warm < 40; ++warm)  // let people walk in
        scenes_.back().next();
    }
  }
  vision::synthetic_frame next() {
    auto& scene = scenes_[turn_++ % scenes_.size()];
    scene.next();
    return scene.next();
  }

 private:
  std::vector<vision::synthetic_scene> scenes_;
  size_t turn_ = 0;
};

torch::Tensor to_input(const cv::Mat& letterboxed) {
  cv::Mat f;
  letterboxed.convertTo(f, CV_32FC3, 1.0 / 255);
  return torch::from_blob(f.data, {f.rows, f.cols, 3}, torch::kFloat32).permute({2, 0, 1}).clone();
}

struct targets {
  torch::Tensor obj, xy, wh, mask;  // [B,G,G], [B,2,G,G], [B,2,G,G], [B,G,G]
};

// The cell holding a box's centre is responsible for it.
void assign(targets& t, int b, const vision::detection& box, const network_shape& s) {
  float cx = box.box.x + box.box.width / 2, cy = box.box.y + box.box.height / 2;
  int grid = s.input / s.stride();
  int gx = std::clamp(int(cx / s.stride()), 0, grid - 1), gy = std::clamp(int(cy / s.stride()), 0, grid - 1);
  t.obj[b][gy][gx] = 1;
  t.mask[b][gy][gx] = 1;
  t.xy[b][0][gy][gx] = cx / s.stride() - gx;
  t.xy[b][1][gy][gx] = cy / s.stride() - gy;
  t.wh[b][0][gy][gx] = std::log(std::max(1.f, box.box.width) / s.anchor_w);
  t.wh[b][1][gy][gx] = std::log(std::max(1.f, box.box.height) / s.anchor_h);
}

std::pair<torch::Tensor, targets> make_batch(scene_sampler& scenes, const network_shape& s, int batch) {
  int grid = s.input / s.stride();
  targets t{torch::zeros({batch, grid, grid}), torch::zeros({batch, 2, grid, grid}),
            torch::zeros({batch, 2, grid, grid}), torch::zeros({batch, grid, grid})};
  std::vector<torch::Tensor> inputs;
  for (int b = 0; b < batch; ++b) {
    auto frame = scenes.next();
    auto lb = vision::fit_letterbox(frame.image.size(), {s.input, s.input});
    inputs.push_back(to_input(vision::apply_letterbox(frame.image, lb)));
    auto truth = frame.truth;  // smaller first: of two boxes in one cell, the larger wins
    std::sort(truth.begin(), truth.end(), [](auto& x, auto& y) { return x.box.area() < y.box.area(); });
    for (auto& d : truth)
      assign(t, b, {vision::to_letterbox(d.box, lb), d.label, 1}, s);
  }
  return {torch::stack(inputs), t};
}

// Objectness over every cell, box and class over responsible cells, each per positive.
torch::Tensor detection_loss(const torch::Tensor& raw, const targets& t) {
  namespace F = torch::nn::functional;
  auto positives = t.mask.sum().clamp_min(1);
  auto none = F::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone);
  auto obj = F::binary_cross_entropy_with_logits(raw.select(1, 4), t.obj, none).sum();
  auto mask = t.mask.unsqueeze(1);
  auto xy = (F::binary_cross_entropy_with_logits(raw.slice(1, 0, 2), t.xy, none) * mask).sum();
  auto wh = ((raw.slice(1, 2, 4) - t.wh).pow(2) * mask).sum();
  auto cls = (F::binary_cross_entropy_with_logits(raw.slice(1, 5, 6), mask, none) * mask).sum();
  return (obj + 2 * xy + wh + cls) / positives;
}

void evaluate(const training_options& o, training_result& r) {
  auto model = load_torchscript_detector(o.output);
  scene_sampler scenes(4, held_out_seeds + o.seed);
  vision::map_accumulator map;
  vision::match_counts counts;
  for (int i = 0; i < o.eval_frames; ++i) {
    auto frame = scenes.next();
    auto found = model->detect(frame.image);
    map.add_frame(found, frame.truth);
    std::vector<vision::detection> confident;
    for (auto& d : found)
      if (d.score >= 0.5f)
        confident.push_back(d);
    counts += vision::match_frame(confident, frame.truth);
  }
  r.map50 = map.mean_average_precision();
  r.f1 = counts.f1();
}

}  // namespace

training_result train_detector(const training_options& o,
                               const std::function<void(const std::string&)>& progress) {
  auto started = std::chrono::steady_clock::now();
  prepare_torch_memory();
  auto shape = shape_of(o.size, o.input);
  auto net = build_network(shape, o.seed);
  std::vector<torch::Tensor> weights;
  training_result r;
  for (const auto& p : net.parameters()) {
    weights.push_back(p);
    r.parameters += p.numel();
  }
  torch::optim::Adam adam(weights, torch::optim::AdamOptions(o.learning_rate));
  scene_sampler scenes(o.scenes, o.seed);
  auto raw = net.get_method("raw");
  int tenth = std::max(1, o.steps / 10);
  double running = 0;
  for (int step = 1; step <= o.steps; ++step) {
    auto [input, t] = make_batch(scenes, shape, o.batch);
    auto loss = detection_loss(raw({input}).toTensor(), t);
    adam.zero_grad();
    loss.backward();
    adam.step();
    double value = loss.item<double>();
    running += value;
    if (step <= tenth)
      r.first_loss += value / tenth;
    if (step > o.steps - tenth)
      r.final_loss += value / tenth;
    if (progress && o.progress_every > 0 && step % o.progress_every == 0) {
      progress("step " + std::to_string(step) + "/" + std::to_string(o.steps) + ": loss " +
               std::to_string(running / o.progress_every));
      running = 0;
    }
  }
  net.save(o.output);
  if (o.eval_frames > 0)
    evaluate(o, r);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace troupe::learning
