#include "learning/detector_training.hpp"

#include <chrono>
#include <cmath>
#include <map>
#include <thread>

#include <torch/torch.h>

#include "learning/detector_network.hpp"
#include "learning/torchscript_detector.hpp"
#include "vision/metrics.hpp"
#include "vision/object_class.hpp"
#include "vision/synthetic_scene.hpp"
#include "vision/yolo_output.hpp"

namespace troupe::learning {

namespace {

constexpr uint64_t held_out_seeds = 1'000'000;  // evaluation scenes start here

// Synthetic scenes of varied ground and density, sampled in turn, a few frames apart.
class scene_sampler {
 public:
  scene_sampler(int scenes, uint64_t seed, const std::vector<double>& class_mix) {
    for (int i = 0; i < scenes; ++i) {
      vision::scene_config c;
      c.seed = seed + i;
      c.class_mix = class_mix;
      c.fps = 5;
      c.ground = i % 2 == 0 ? vision::scene_ground::floor : vision::scene_ground::road;
      c.schedule = {{0, 0.5 + 0.25 * (i % 7)}};
      scenes_.emplace_back(c);
      for (int warm = 0; warm < 40; ++warm)  // let people walk in
        scenes_.back().next();
    }
  }
  // The next `count` frames, scenes in turn, each scene's share rendered on one of `threads` threads (scenes are independent of each other).
  std::vector<vision::synthetic_frame> next(int count, int threads) {
    std::vector<vision::synthetic_frame> out(static_cast<size_t>(count));
    auto first = turn_;
    turn_ += size_t(count);
    auto render = [&](size_t worker) {
      for (size_t scene = worker; scene < scenes_.size(); scene += size_t(threads))
        for (size_t i = 0; i < out.size(); ++i)
          if ((first + i) % scenes_.size() == scene) {
            scenes_[scene].next();
            out[i] = scenes_[scene].next();
          }
    };
    std::vector<std::thread> pool;
    for (size_t w = 1; w < size_t(threads); ++w)
      pool.emplace_back(render, w);
    render(0);
    for (auto& t : pool)
      t.join();
    return out;
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
  torch::Tensor obj, xy, wh, mask, cls;  // [B,G,G], [B,2,G,G], [B,2,G,G], [B,G,G], [B,C,G,G]
};

// The cell holding a box's centre is responsible for it.
void assign(targets& t, int b, const vision::detection& box, const network_shape& s) {
  float cx = box.box.x + box.box.width / 2, cy = box.box.y + box.box.height / 2;
  int grid = s.input / s.stride();
  int gx = std::clamp(int(cx / s.stride()), 0, grid - 1), gy = std::clamp(int(cy / s.stride()), 0, grid - 1);
  t.obj[b][gy][gx] = 1;
  t.mask[b][gy][gx] = 1;
  t.cls[b].select(1, gy).select(1, gx).zero_();  // a larger box that wins the cell takes its class too
  t.cls[b][box.label][gy][gx] = 1;
  t.xy[b][0][gy][gx] = cx / s.stride() - gx;
  t.xy[b][1][gy][gx] = cy / s.stride() - gy;
  t.wh[b][0][gy][gx] = std::log(std::max(1.f, box.box.width) / s.anchor_w);
  t.wh[b][1][gy][gx] = std::log(std::max(1.f, box.box.height) / s.anchor_h);
}

// The frames letterboxed to the network's input, with each cell's targets.
std::pair<torch::Tensor, targets> make_batch(const std::vector<vision::synthetic_frame>& frames,
                                             const network_shape& s) {
  int grid = s.input / s.stride();
  int batch = int(frames.size());
  targets t{torch::zeros({batch, grid, grid}), torch::zeros({batch, 2, grid, grid}),
            torch::zeros({batch, 2, grid, grid}), torch::zeros({batch, grid, grid}),
            torch::zeros({batch, s.classes, grid, grid})};
  std::vector<torch::Tensor> inputs;
  for (int b = 0; b < batch; ++b) {
    auto& frame = frames[size_t(b)];
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
  auto classes = t.cls.size(1);
  auto cls = (F::binary_cross_entropy_with_logits(raw.slice(1, 5, 5 + classes), t.cls, none) * mask).sum();
  return (obj + 2 * xy + wh + cls) / positives;
}

void evaluate(const std::vector<vision::synthetic_frame>& held_out, training_result& r) {
  auto model = load_torchscript_detector(r.output);
  vision::map_accumulator map;
  vision::match_counts counts;
  for (auto& frame : held_out) {
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

// One size's network in training: its optimiser, figures and time per phase.
struct trainee {
  network_shape shape;
  torch::jit::Module net;
  std::unique_ptr<torch::optim::Adam> adam;
  training_result result;
  double recent = 0;  // loss, smoothed over about ten steps
};

// The scenes' share of each class id: 1 for every class trained, 0 between them.
std::vector<double> class_mix_of(const training_options& o) {
  std::vector<double> mix;
  for (auto& name : o.classes) {
    int id = vision::class_id(name);
    if (id < 0 || size_t(id) >= vision::object_class_names().size())
      throw std::runtime_error("train-detector: class '" + name + "' is not one of person, car, bike");
    if (mix.size() <= size_t(id))
      mix.resize(size_t(id) + 1, 0);
    mix[size_t(id)] = 1;
  }
  if (mix.empty())
    throw std::runtime_error("train-detector: needs a class");
  return mix;
}

trainee make_trainee(const training_options& o, const std::string& size) {
  trainee t{shape_of(size, o.input), {}, nullptr, {}};
  t.shape.classes = int(class_mix_of(o).size());
  t.net = build_network(t.shape, o.seed);
  std::vector<torch::Tensor> weights;
  for (const auto& p : t.net.parameters()) {
    weights.push_back(p);
    t.result.parameters += p.numel();
  }
  t.adam = std::make_unique<torch::optim::Adam>(weights, torch::optim::AdamOptions(o.learning_rate));
  t.result.size = size;
  t.result.output = output_for(o, size);
  return t;
}

// Sizes spread over `threads` groups of about equal work (parameters stand for it),
// largest first onto the lightest group.
std::vector<std::vector<trainee*>> spread(std::vector<trainee>& trainees, int threads) {
  std::vector<trainee*> order;
  for (auto& t : trainees)
    order.push_back(&t);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->result.parameters > b->result.parameters; });
  std::vector<std::vector<trainee*>> groups(std::min<size_t>(size_t(threads), trainees.size()));
  std::vector<int64_t> load(groups.size(), 0);
  for (auto* t : order) {
    auto lightest = size_t(std::min_element(load.begin(), load.end()) - load.begin());
    groups[lightest].push_back(t);
    load[lightest] += t->result.parameters;
  }
  return groups;
}

using steady = std::chrono::steady_clock;

double ms_since(steady::time_point t) {
  return std::chrono::duration<double, std::milli>(steady::now() - t).count();
}

using batch = std::pair<torch::Tensor, targets>;

void train_step(trainee& t, const batch& b, int step, int steps) {
  auto& [input, targets] = b;
  auto& p = t.result.per_step;
  auto t0 = steady::now();
  auto out = t.net.get_method("raw")({input}).toTensor();
  p.forward_ms += ms_since(t0);
  t0 = steady::now();
  auto loss = detection_loss(out, targets);
  p.loss_ms += ms_since(t0);
  t0 = steady::now();
  t.adam->zero_grad();
  loss.backward();
  p.backward_ms += ms_since(t0);
  t0 = steady::now();
  t.adam->step();
  p.optimiser_ms += ms_since(t0);
  double value = loss.item<double>();
  t.recent = step == 1 ? value : 0.9 * t.recent + 0.1 * value;
  int tenth = std::max(1, steps / 10);
  if (step <= tenth)
    t.result.first_loss += value / tenth;
  if (step > steps - tenth)
    t.result.final_loss += value / tenth;
}

}  // namespace

std::vector<training_result> train_detectors(const training_options& o, const progress_callback& progress) {
  auto started = steady::now();
  if (o.sizes.empty() || o.steps < 1 || o.batch < 1)
    throw std::runtime_error("train-detector: needs a size, and steps and batch of at least 1");
  prepare_torch_memory();
  int threads = o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<trainee> trainees;
  for (auto& size : o.sizes)
    trainees.push_back(make_trainee(o, size));
  // Several sizes train at once, one thread each, and every network on one libtorch
  // thread: a model is a function of its seed alone, the same whether it trained alone
  // or beside others (more libtorch threads change the order of its sums, and so the
  // model). The cores go to rendering the scenes and to training sizes side by side.
  auto groups = spread(trainees, threads);
  at::set_num_threads(1);
  scene_sampler scenes(o.scenes, o.seed, class_mix_of(o));
  for (int step = 1; step <= o.steps; ++step) {
    auto t0 = steady::now();
    auto frames = scenes.next(o.batch, threads);
    std::map<std::pair<int, int>, batch> batches;  // sizes of one input and stride share their batch
    for (auto& t : trainees)
      batches.try_emplace({t.shape.input, t.shape.stride()}, make_batch(frames, t.shape));
    double shared_ms = ms_since(t0) / double(trainees.size());  // made once for every size
    auto train_group = [&](const std::vector<trainee*>& group) {
      at::set_num_threads(1);  // a new thread starts with OpenMP's default
      for (auto* t : group) {
        t->result.per_step.scenes_ms += shared_ms;
        train_step(*t, batches.at({t->shape.input, t->shape.stride()}), step, o.steps);
      }
    };
    std::vector<std::thread> workers;
    for (size_t g = 1; g < groups.size(); ++g)
      workers.emplace_back(train_group, groups[g]);
    train_group(groups.front());
    for (auto& w : workers)
      w.join();
    if (progress) {
      std::string losses;
      for (auto& t : trainees)
        losses += (losses.empty() ? "" : ", ") + t.result.size + " " + std::to_string(t.recent).substr(0, 5);
      progress({step, o.steps, trainees.front().recent, "loss " + losses});
    }
  }
  std::vector<vision::synthetic_frame> held_out;  // scenes no step saw, scored for every size
  if (o.eval_frames > 0)
    held_out = scene_sampler(4, held_out_seeds + o.seed, class_mix_of(o)).next(o.eval_frames, threads);
  std::vector<training_result> results;
  for (auto& t : trainees) {
    auto& p = t.result.per_step;
    for (double* ms : {&p.scenes_ms, &p.forward_ms, &p.loss_ms, &p.backward_ms, &p.optimiser_ms})
      *ms /= o.steps;
    t.net.save(t.result.output);
    if (!held_out.empty())
      evaluate(held_out, t.result);
    results.push_back(t.result);
  }
  double seconds = std::chrono::duration<double>(steady::now() - started).count();
  for (auto& r : results)
    r.seconds = seconds;
  return results;
}

}  // namespace troupe::learning
