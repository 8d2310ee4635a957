#include "learning/adapter_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/baselines.hpp"
#include "actors/penance/core/cost.hpp"
#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/metrics.hpp"
#include "actors/penance/core/replay.hpp"
#include "actors/penance/core/replay_world.hpp"
#include "actors/penance/core/segment_table.hpp"
#include "learning/detail/atomic_save.hpp"
#include "learning/detail/ppo.hpp"
#include "learning/detail/training_checkpoint.hpp"
#include "learning/penance_inputs.hpp"
#include "learning/penance_networks.hpp"
#include "vision/percentile.hpp"

namespace troupe::learning {

namespace {

// A drive as the adapter sees it: the replay's (its table and truth), what the frozen
// estimator says of each segment, and the probabilities p is computed from.
struct drive {
  const penance::world_drive* base = nullptr;
  std::vector<std::vector<float>> sizes;     // b̂ per setting, state units
  std::vector<std::vector<float>> features;  // x
  std::unique_ptr<penance::softmax_blob> softmax;
  const penance::drive_table& table() const { return base->table; }
  const std::vector<penance::segment_truth>& truth() const { return base->truth; }
};

// The state's sizes and bandwidth are in MB/s at 1280×720, the paper's: a segment's
// bytes over its length, and over the pixel ratio.
double state_mbps(double bytes, const adapter_options& o) {
  return penance::state_mbps(bytes, o.data.segment_s, pixel_ratio(o.data));
}

penance::world_settings world_settings_of(const adapter_options& o) {
  return {o.data.width, o.data.height, o.data.fps, o.data.segment_s, o.decide_s, o.encode_ms_per_mp,
          o.server_macs_per_s};
}

class world {
 public:
  world(const adapter_options& o, const std::vector<uint64_t>& seeds, torch::jit::Module& estimator)
      : replay_(penance::config_space(o.data.space), table_paths(o.data, seeds), world_settings_of(o)) {
    auto& space = replay_.space();
    estimator_shape shape;
    shape.frames = replay_.frames();
    shape.height = o.data.height / 2;
    shape.width = o.data.width / 2;
    if (estimator.run_method("settings").toInt() != static_cast<int64_t>(space.settings()) ||
        estimator.run_method("frames").toInt() != shape.frames)
      throw std::invalid_argument("train-penance adapter: " + o.estimator + " estimates " +
                                  std::to_string(estimator.run_method("settings").toInt()) + " settings of " +
                                  std::to_string(estimator.run_method("frames").toInt()) + " frames; the tables have " +
                                  std::to_string(space.settings()) + " of " + std::to_string(shape.frames));
    double unit = estimator.run_method("base_unit").toDouble();
    size_t base = penance::costliest_setting(space);
    auto lumas = segment_lumas(o.data, seeds, shape);
    for (size_t i = 0; i < seeds.size(); ++i) {
      drive d;
      d.base = &replay_.at(i);
      if (d.table().segments.size() != lumas[i].size())
        throw std::invalid_argument(d.base->path + " holds " + std::to_string(d.table().segments.size()) +
                                    " segments, its drive " + std::to_string(lumas[i].size()));
      torch::NoGradGuard no_grad;
      auto out = estimator.forward({luma_batch(lumas[i])}).toTuple();
      auto b = out->elements()[0].toTensor(), r = out->elements()[1].toTensor(), x = out->elements()[2].toTensor();
      for (int64_t k = 0; k < b.size(0); ++k) {
        d.sizes.push_back(penance::state_sizes(estimated_sizes(b[k].item<double>() * unit, r[k], space.settings(), base),
                                               o.data.segment_s, pixel_ratio(o.data)));
        auto xk = x[k].contiguous();
        d.features.emplace_back(xk.data_ptr<float>(), xk.data_ptr<float>() + xk.numel());
      }
      d.softmax = std::make_unique<penance::softmax_blob>(d.base->path, d.table().key, d.table().segments.size());
      drives_.push_back(std::move(d));
    }
  }

  size_t size() const { return drives_.size(); }
  const drive& at(size_t i) const { return drives_[i]; }
  const penance::config_space& space() const { return replay_.space(); }
  const std::vector<double>& cost() const { return replay_.cost(); }
  const penance::replay_timing& timing() const { return replay_.timing(); }
  double reference_macs() const { return replay_.reference_macs(); }
  int frames() const { return replay_.frames(); }

 private:
  penance::replay_world replay_;
  std::vector<drive> drives_;
};

// A decision's state as kept for PPO: the flat vector with p left at zeros, and where
// p comes from (the probabilities of the result the decision saw), so that a minibatch
// computes p again with gradients.
struct kept_state {
  std::vector<float> flat;
  const drive* from = nullptr;
  std::optional<penance::feedback> seen;
};

// What one episode plays at, per segment: the target A_i and the bandwidth B_i (MBps at
// 1280×720), drawn once per episode or as a recorded camera met them.
struct episode_conditions {
  std::vector<double> A, B;

  static episode_conditions constant(size_t segments, double A, double B) {
    return {std::vector<double>(segments, A), std::vector<double>(segments, B)};
  }
  static episode_conditions recorded(const penance::condition_series& c, size_t from, size_t segments) {
    episode_conditions e;
    for (size_t i = 0; i < segments; ++i) {
      e.A.push_back(c.targets[(from + i) % c.targets.size()]);
      e.B.push_back(c.bandwidth_mbps[(from + i) % c.bandwidth_mbps.size()]);
    }
    return e;
  }
};

class adapter_agent {
 public:
  adapter_agent(const adapter_options& o, const world& w)
      : o_(o), w_(w), layout_(layout_of(o, w)),
        perf_(build_performance_encoder({vision_classes(w), w.at(0).table().key.softmax_height,
                                         w.at(0).table().key.softmax_width, 64},
                                        o.seed + 1)),
        ppo_(build_adapter(layout_, static_cast<int>(w.space().configs()), o.seed + 2),
             build_adapter(layout_, 1, o.seed + 3), perf_params(), o.ppo) {}

  static penance::state_layout layout_of(const adapter_options& o, const world& w) {
    penance::state_layout l;
    l.settings = w.space().settings();
    l.configs = w.space().configs();
    l.performance = o.variant == adapter_variant::penance ? 64 : 1;
    return l;
  }

  // One episode on drive d under `c` (A_i, B_i in MBps at 1280×720 per segment).
  std::vector<penance::replay_step> episode(const drive& d, const episode_conditions& c, bool sample,
                                            std::mt19937_64& rng, std::vector<detail::ppo_step>* steps,
                                            std::vector<kept_state>* states) {
    std::vector<double> bytes_per_s;
    for (double B : c.B)
      bytes_per_s.push_back(B * pixel_ratio(o_.data) * 1e6);
    penance::segment_replay replay(w_.space(), w_.cost(), w_.timing(), d.truth(), std::move(bytes_per_s));
    penance::self_competition reward(o_.reward);
    std::vector<penance::replay_step> played;
    size_t hint = penance::cheapest_setting(w_.space());
    while (!replay.done()) {
      size_t i = replay.segment();
      kept_state k;
      k.from = &d;
      k.seen = replay.latest();
      double A = c.A[i];
      penance::adapter_state s;
      s.accuracy_target = A;
      s.bandwidth_mbps = c.B[i];
      s.bitrates_mb = d.sizes[i];
      s.performance.assign(layout_.performance, 0.0f);
      if (o_.variant == adapter_variant::casva_c)  // an extra encode's size says how busy the segment is
        s.performance[0] = static_cast<float>(state_mbps(d.truth()[i].bytes[hint], o_));
      if (k.seen)
        s.last_config = k.seen->config;
      s.content = d.features[i];
      k.flat = penance::flatten(s, layout_);
      auto x = with_performance({k}, false);
      auto st = ppo_.act(x, sample, rng);
      auto step = replay.step(static_cast<size_t>(st.action));
      st.reward = static_cast<float>(reward.step(penance::terms_of(step, A, o_.data.segment_s)).value);
      st.last = replay.done();
      played.push_back(step);
      if (steps) {
        steps->push_back(st);
        states->push_back(std::move(k));
      }
    }
    return played;
  }

  // States as a batch, p computed by the performance encoder where a result was seen.
  torch::Tensor with_performance(const std::vector<kept_state>& ks, bool grad) {
    std::vector<torch::Tensor> rows;
    for (auto& k : ks)
      rows.push_back(torch::from_blob(const_cast<float*>(k.flat.data()), {1, static_cast<int64_t>(k.flat.size())},
                                      torch::kFloat32));
    auto x = torch::cat(rows);
    if (o_.variant != adapter_variant::penance)
      return x;
    std::vector<int64_t> which;
    std::vector<torch::Tensor> probs;
    auto& key = ks.front().from->table().key;
    auto plane = std::vector<int64_t>{key.classes, key.softmax_height, key.softmax_width};
    for (size_t r = 0; r < ks.size(); ++r)
      if (ks[r].seen) {
        auto c = w_.space().config_at(ks[r].seen->config);
        auto* p = ks[r].from->softmax->at(ks[r].seen->segment, c.setting, static_cast<size_t>(c.model));
        probs.push_back(torch::from_blob(const_cast<uint8_t*>(p), plane, torch::kUInt8).to(torch::kFloat32) / 255);
        which.push_back(static_cast<int64_t>(r));
      }
    if (which.empty())
      return x;
    torch::Tensor p;
    {
      std::optional<torch::NoGradGuard> no_grad;
      if (!grad)
        no_grad.emplace();
      p = perf_.forward({torch::stack(probs)}).toTensor();
    }
    auto off = static_cast<int64_t>(layout_.offset(penance::state_part::performance));
    auto index = torch::tensor(which);
    x.index_put_({index, torch::indexing::Slice(off, off + static_cast<int64_t>(layout_.performance))}, p);
    return x;
  }

  detail::ppo& ppo() { return ppo_; }
  std::vector<torch::Tensor> encoder_parameters() { return perf_params(); }
  torch::jit::Module& performance() { return perf_; }
  const penance::state_layout& layout() const { return layout_; }

 private:
  static int vision_classes(const world& w) { return w.at(0).table().key.classes; }
  std::vector<torch::Tensor> perf_params() {
    std::vector<torch::Tensor> p;
    if (o_.variant == adapter_variant::penance)
      for (const auto& t : perf_.parameters())
        p.push_back(t);
    return p;
  }
  const adapter_options& o_;
  const world& w_;
  penance::state_layout layout_;
  torch::jit::Module perf_;
  detail::ppo ppo_;
};

void check(const adapter_options& o) {
  auto bad = [](const std::string& why) { throw std::invalid_argument("train-penance adapter: " + why); };
  if (o.steps < 1 || o.episodes_per_rollout < 1 || o.ppo.epochs < 1 || o.ppo.minibatch < 1)
    bad("steps, episodes per rollout, PPO epochs and minibatch must be positive");
  if (!(o.ppo.clip > 0) || !(o.ppo.gamma >= 0 && o.ppo.gamma <= 1) || !(o.ppo.learning_rate > 0) || o.ppo.entropy < 0)
    bad("clip > 0, gamma in [0, 1], learning rate > 0, entropy >= 0");
  if (o.targets.empty() || !(o.bandwidth_min > 0) || o.bandwidth_max < o.bandwidth_min)
    bad("targets and a bandwidth range");
  if (!(o.server_macs_per_s > 0) || o.decide_s < 0 || o.encode_ms_per_mp < 0)
    bad("server throughput > 0, decision and encoding times >= 0");
  for (auto& c : o.conditions)
    if (c.targets.empty() || c.targets.size() != c.bandwidth_mbps.size())
      bad("recorded conditions of camera '" + c.camera + "': as many targets as bandwidths, at least one");
}

// What makes a checkpoint this run's: every option that changes the training.
std::string settings_key(const adapter_options& o) {
  std::ostringstream key;
  key << variant_name(o.variant) << ' ' << o.estimator << ' ' << o.steps << ' ' << o.episodes_per_rollout << ' '
      << o.ppo.clip << ' ' << o.ppo.gamma << ' ' << o.ppo.learning_rate << ' ' << o.ppo.entropy << ' ' << o.ppo.epochs
      << ' ' << o.ppo.minibatch << ' ' << o.bandwidth_min << ' ' << o.bandwidth_max << ' ' << o.reward.alpha << ' '
      << int(o.reward.xi) << ' ' << o.decide_s << ' ' << o.encode_ms_per_mp << ' ' << o.server_macs_per_s << ' '
      << o.seed << ' ' << o.data.folder << ' ' << o.data.drives.train_seed << ' ' << o.data.drives.train;
  for (double a : o.targets)
    key << ' ' << a;
  for (auto& c : o.conditions) {
    key << ' ' << c.camera;
    for (size_t i = 0; i < c.targets.size(); ++i)
      key << ' ' << c.targets[i] << '/' << c.bandwidth_mbps[i];
  }
  return key.str();
}

// Where PPO stands: both networks and optimizers, the encoder, the generator, the
// steps and each rollout's mean reward. Written every checkpoint_every_s, so a
// session's end costs at most that.
struct adapter_progress {
  adapter_result& r;
  std::vector<double>& rewards;

  void write(torch::serialize::OutputArchive& a, adapter_agent& agent, const std::mt19937_64& rng) const {
    agent.ppo().save(a);
    detail::training_checkpoint::write_tensors(a, "encoder", agent.encoder_parameters());
    detail::training_checkpoint::write_generator(a, rng);
    a.write("steps", c10::IValue(r.steps));
    a.write("rollouts", c10::IValue(int64_t(r.rollouts)));
    a.write("rewards", torch::tensor(rewards, torch::kFloat64));
  }

  void read(torch::serialize::InputArchive& a, adapter_agent& agent, std::mt19937_64& rng) const {
    agent.ppo().load(a);
    detail::training_checkpoint::read_tensors(a, "encoder", agent.encoder_parameters());
    detail::training_checkpoint::read_generator(a, rng);
    c10::IValue steps, rollouts;
    a.read("steps", steps);
    a.read("rollouts", rollouts);
    r.steps = steps.toInt();
    r.rollouts = int(rollouts.toInt());
    torch::Tensor kept;
    a.read("rewards", kept);
    rewards.assign(kept.data_ptr<double>(), kept.data_ptr<double>() + kept.numel());
  }
};

// Container saved to disk: the actor, the performance encoder and what they were trained for.
torch::jit::Module saved(adapter_agent& a, const adapter_options& o) {
  torch::jit::Module m("penance_adapter");
  m.register_module("actor", a.ppo().actor());
  m.register_module("performance", a.performance());
  m.define(std::string("def variant(self) -> str:\n    return '") + variant_name(o.variant) + "'\n" +
           "def state_size(self) -> int:\n    return " + std::to_string(a.layout().size()) + "\n" +
           "def settings(self) -> int:\n    return " + std::to_string(a.layout().settings) + "\n" +
           "def configs(self) -> int:\n    return " + std::to_string(a.layout().configs) + "\n");
  return m;
}

}  // namespace

adapter_result train_adapter(const adapter_options& o, const progress_callback& progress) {
  auto t0 = std::chrono::steady_clock::now();
  check(o);
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(threads);
  auto estimator = torch::jit::load(o.estimator);
  estimator.eval();
  world train(o, o.data.drives.train_seeds(), estimator);
  world test(o, o.data.drives.test_seeds(), estimator);
  adapter_agent agent(o, train);
  std::mt19937_64 rng(o.seed);
  auto uniform = [&] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  auto conditions_for = [&](size_t segments) {
    if (o.conditions.empty()) {
      double A = o.targets[rng() % o.targets.size()];
      return episode_conditions::constant(segments, A, o.bandwidth_min + (o.bandwidth_max - o.bandwidth_min) * uniform());
    }
    auto& c = o.conditions[rng() % o.conditions.size()];
    return episode_conditions::recorded(c, rng() % c.targets.size(), segments);
  };
  double played_min = HUGE_VAL, played_max = -HUGE_VAL;  // B of the training segments

  adapter_result r;
  std::vector<double> rewards;  // mean per step, per rollout
  detail::training_checkpoint checkpoint(o.output, settings_key(o));
  adapter_progress books{r, rewards};
  if (checkpoint.load([&](torch::serialize::InputArchive& a) { books.read(a, agent, rng); }))
    spdlog::info("{}: resuming at step {} (rollout {})", checkpoint.path(), r.steps, r.rollouts + 1);
  auto saved_at = std::chrono::steady_clock::now();
  while (r.steps < o.steps) {
    std::vector<detail::ppo_step> steps;
    std::vector<kept_state> states;
    for (int e = 0; e < o.episodes_per_rollout; ++e) {
      auto& d = train.at(rng() % train.size());
      auto c = conditions_for(d.truth().size());
      played_min = std::min(played_min, *std::min_element(c.B.begin(), c.B.end()));
      played_max = std::max(played_max, *std::max_element(c.B.begin(), c.B.end()));
      agent.episode(d, c, true, rng, &steps, &states);
    }
    double sum = 0;
    for (auto& s : steps)
      sum += s.reward;
    rewards.push_back(sum / static_cast<double>(steps.size()));
    agent.ppo().update(steps, [&](const std::vector<size_t>& idx) {
      std::vector<kept_state> ks;
      for (auto i : idx)
        ks.push_back(states[i]);
      return agent.with_performance(ks, true);
    }, rng);
    r.steps += static_cast<int64_t>(steps.size());
    ++r.rollouts;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - saved_at).count() >= o.checkpoint_every_s ||
        r.steps >= o.steps) {
      checkpoint.save([&](torch::serialize::OutputArchive& a) { books.write(a, agent, rng); });
      saved_at = std::chrono::steady_clock::now();
    }
    if (progress)
      progress({static_cast<int>(std::min(r.steps, o.steps) / 1000), static_cast<int>(o.steps / 1000), rewards.back(),
                "rollout " + std::to_string(r.rollouts)});
  }
  size_t tenth = std::max<size_t>(1, rewards.size() / 10);
  r.first_reward = vision::mean(std::vector<double>(rewards.begin(), rewards.begin() + static_cast<long>(tenth)));
  r.final_reward = vision::mean(std::vector<double>(rewards.end() - static_cast<long>(tenth), rewards.end()));

  // Greedy on the test drives at A 0.65, B 0.6, beside Optimal on the same replay.
  penance::metrics_accumulator ours(test.reference_macs(), test.frames()), best(test.reference_macs(), test.frames());
  auto optimal = penance::optimal_policy(test.space(), test.cost());
  for (size_t i = 0; i < test.size(); ++i) {
    auto& d = test.at(i);
    for (auto& s : agent.episode(d, episode_conditions::constant(d.truth().size(), 0.65, 0.6), false, rng, nullptr,
                                 nullptr))
      ours.add(s, 0.65);
    penance::segment_replay replay(test.space(), test.cost(), test.timing(), d.truth(),
                                   std::vector<double>(d.truth().size(), 0.6 * pixel_ratio(o.data) * 1e6));
    while (!replay.done()) {
      size_t k = replay.segment();
      best.add(replay.step(optimal->choose({&d.table(), k, 0.65, 0.6 * pixel_ratio(o.data) * 1e6 * o.data.segment_s})),
               0.65);
    }
  }
  r.fail_pct = ours.result().fail_pct;
  r.gmacs = ours.result().gmacs_per_segment;
  r.optimal_fail_pct = best.result().fail_pct;
  r.optimal_gmacs = best.result().gmacs_per_segment;

  at::set_num_threads(1);
  std::vector<double> ms;
  auto x = torch::zeros({1, static_cast<int64_t>(agent.layout().size())});
  for (int k = 0; k < 21; ++k) {
    torch::NoGradGuard no_grad;
    auto t = std::chrono::steady_clock::now();
    agent.ppo().actor().forward({x});
    if (k > 0)
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  r.adapter_ms = vision::median(ms);
  if (played_min <= played_max) {  // a run resumed at its end plays none
    r.bandwidth_played_min = played_min;
    r.bandwidth_played_max = played_max;
  }
  r.output = o.output;
  detail::save_atomically(saved(agent, o), o.output);
  checkpoint.remove();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace troupe::learning
