// Penance's networks in libtorch: the segmenter built from its graph gives logits at its
// input's size, carries its graph, and L1 pruning keeps the strongest filters.
#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "learning/segmenter_network.hpp"
#include "learning/adapter_training.hpp"
#include "learning/dao_training.hpp"
#include "learning/detail/ppo.hpp"
#include "learning/estimator_training.hpp"
#include "learning/penance_dataset.hpp"
#include "learning/penance_networks.hpp"
#include "learning/segmenter_training.hpp"
#include "actors/penance/cli/bench_penance.hpp"
#include "actors/penance/core/segment_models.hpp"
#include "actors/penance/core/segment_table.hpp"
#include "learning/penance_runtime.hpp"

using namespace troupe;

TEST(SegmenterNetwork, LogitsAtTheInputSizeAndTheGraphTravelsWithIt) {
  auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
  auto m = learning::build_segmenter(g, 1);
  for (auto [h, w] : {std::pair{64, 96}, std::pair{45, 80}}) {
    auto out = m.forward({torch::rand({2, 3, h, w})}).toTensor();
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 8, h, w}));
  }
  EXPECT_EQ(learning::graph_of(m).serialise(), g.serialise());
}

TEST(SegmenterNetwork, PruningKeepsTheFiltersOfLargestL1Norm) {
  auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
  auto m = learning::build_segmenter(g, 2);
  auto pruned = learning::prune_segmenter(m, 0.5);
  auto pg = learning::graph_of(pruned);
  EXPECT_EQ(pg.at("c1").out, 2);
  EXPECT_EQ(pg.classes(), 8);
  auto w = m.attr("w_c1").toTensor();
  auto kept = pruned.attr("w_c1").toTensor();
  auto order = std::get<1>(w.abs().sum({1, 2, 3}).topk(2));
  auto expected = w.index_select(0, std::get<0>(order.sort()));
  EXPECT_TRUE(torch::equal(kept, expected));
  // c2 reads only c1's kept channels.
  EXPECT_EQ(pruned.attr("w_c2").toTensor().size(1), 2);
  auto out = pruned.forward({torch::rand({1, 3, 48, 64})}).toTensor();
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 8, 48, 64}));
}

TEST(SegmenterTraining, AToyRunTrainsFivePrunedModelsThatSegment) {
  learning::segmenter_options o;
  o.width = 160;
  o.height = 90;
  o.crop_width = 96;
  o.crop_height = 64;
  o.drives.train = 6;
  o.drives.test = 1;
  o.drives.drive_s = 8;
  o.frames_per_drive = 30;
  o.eval_frames_per_drive = 6;
  o.steps = 400;
  o.finetune_steps = 15;
  o.batch = 6;
  o.learning_rate = 4e-3;
  o.threads = 1;
  auto dir = std::filesystem::temp_directory_path() / ("penance-seg-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  o.output = (dir / "segmenter-{v}.pt").string();
  auto r = learning::train_segmenters(o);
  ASSERT_EQ(r.size(), 5u);
  for (size_t v = 0; v < r.size(); ++v) {
    EXPECT_TRUE(std::filesystem::exists(r[v].output));
    if (v > 0) {
      EXPECT_LT(r[v].macs, r[v - 1].macs);
      EXPECT_NEAR(r[v].macs / r[0].macs / (1 - r[v].sparsity), 1, 0.2) << "model " << v;
    }
  }
  // Better than calling everything road, the commonest class (mIoU ≈ 0.05 over 8 classes).
  EXPECT_GT(r[0].held_out_miou, 0.25);
  auto loaded = torch::jit::load(r[4].output);
  EXPECT_EQ(learning::graph_of(loaded).classes(), 8);
  std::filesystem::remove_all(dir);

  o.output = "no-placeholder.pt";
  EXPECT_THROW(learning::check(o), std::invalid_argument);
}

namespace {

// Two untrained models, one drive of each split of 2 s at 256×144, scales {1, 0.5} ×
// QPs {20, 40}: a table in seconds.
learning::penance_dataset_options toy_dataset(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
  for (int v = 0; v < 2; ++v)
    learning::prune_segmenter(learning::build_segmenter(g, 3), v == 0 ? 1.0 : 0.5)
        .save((dir / ("seg-" + std::to_string(v) + ".pt")).string());
  learning::penance_dataset_options o;
  o.width = 256;
  o.height = 144;
  o.space = {{1, 0.5}, {20, 40}, 2};
  o.drives.train = 2;
  o.drives.test = 1;
  o.drives.drive_s = 2;
  o.models = (dir / "seg-{v}.pt").string();
  o.folder = (dir / "tables").string();
  o.workers = 2;
  return o;
}

}  // namespace

TEST(PenanceDataset, EveryConfigurationOfEverySegmentIsEncodedAndScored) {
  auto dir = std::filesystem::temp_directory_path() / ("penance-data-" + std::to_string(::getpid()));
  auto o = toy_dataset(dir);
  auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
  auto r = learning::build_penance_dataset(o);
  ASSERT_EQ(r.built.size(), 3u);
  auto t = penance::read_table(r.built[0]);
  ASSERT_EQ(t.segments.size(), 2u);
  for (auto& s : t.segments) {
    EXPECT_GT(s.bytes[0], s.bytes[1]);  // QP 40 is smaller than QP 20
    EXPECT_GT(s.bytes[0], s.bytes[2]);  // and half the scale smaller than the whole
    for (float m : s.miou)
      EXPECT_TRUE(m >= 0 && m <= 1);
  }
  EXPECT_FLOAT_EQ(t.segments[0].miou_ref[0], 1);  // the costliest configuration is its own reference
  EXPECT_NEAR(t.macs[1] / t.macs[0], 0.25, 0.05);  // model 0 at half scale
  penance::softmax_blob blob(r.built[0], t.key, 2);
  int sum = 0;
  for (int c = 0; c < 8; ++c)
    sum += blob.at(1, 3, 1)[c * 45 * 80 + 100];
  EXPECT_NEAR(sum, 255, 8);  // probabilities over the classes

  auto again = learning::build_penance_dataset(o);  // same drives, encoder and models: kept
  EXPECT_EQ(again.kept.size(), 3u);
  EXPECT_TRUE(again.built.empty());
  learning::build_segmenter(g, 4).save((dir / "seg-0.pt").string());
  EXPECT_EQ(learning::build_penance_dataset(o).built.size(), 3u);  // a new model 0: built again
  std::filesystem::remove_all(dir);
}

TEST(PenanceNetworks, TheEstimatorMatchesFigureTenAndTheOthersTheirShapes) {
  learning::estimator_shape paper{15, 360, 640, 18, 128};  // the paper's 720p frames, halved
  EXPECT_NEAR(learning::estimator_macs(paper) / 1e6, 45.79, 4);  // Table 2's 45.79 M (ours: no BN, no bias MACs)
  EXPECT_EQ(2 * learning::estimator_receptive_field(), 166);      // §3.2.2, on the frame before halving
  learning::estimator_shape ours;
  auto est = learning::build_estimator(ours, 1);
  auto out = est.forward({torch::rand({2, 15, 180, 320})}).toTuple();
  EXPECT_EQ(out->elements()[0].toTensor().sizes(), (std::vector<int64_t>{2}));
  EXPECT_EQ(out->elements()[1].toTensor().sizes(), (std::vector<int64_t>{2, 17}));
  EXPECT_EQ(out->elements()[2].toTensor().sizes(), (std::vector<int64_t>{2, 128}));
  EXPECT_THROW(est.forward({torch::rand({1, 15, 90, 160})}), std::exception);  // not its input size

  auto perf = learning::build_performance_encoder({}, 1);
  EXPECT_EQ(perf.forward({torch::rand({3, 8, 45, 80})}).toTensor().sizes(), (std::vector<int64_t>{3, 64}));
  penance::state_layout layout;
  auto actor = learning::build_adapter(layout, 90, 1), critic = learning::build_adapter(layout, 1, 2);
  auto state = torch::rand({4, static_cast<int64_t>(layout.size())});
  EXPECT_EQ(actor.forward({state}).toTensor().sizes(), (std::vector<int64_t>{4, 90}));
  EXPECT_EQ(critic.forward({state}).toTensor().sizes(), (std::vector<int64_t>{4, 1}));
}

TEST(EstimatorTraining, LearnsSegmentSizesFromTheTablesAndScoresTableOne) {
  auto dir = std::filesystem::temp_directory_path() / ("penance-est-" + std::to_string(::getpid()));
  learning::estimator_options o;
  o.data = toy_dataset(dir);
  learning::build_penance_dataset(o.data);
  o.epochs = 40;
  o.batch = 2;
  o.learning_rate = 3e-3;
  o.validation_drives = 1;
  o.threads = 1;
  o.output = (dir / "estimator.pt").string();
  auto r = learning::train_estimator(o);
  EXPECT_TRUE(std::filesystem::exists(o.output));
  EXPECT_GE(r.kept_epoch, 1);
  EXPECT_TRUE(std::isfinite(r.mean_error) && r.mean_error > 0);
  EXPECT_TRUE(std::isfinite(r.baseline_mean_error) && r.baseline_mean_error > 0);
  EXPECT_EQ(r.receptive_field, 166);
  EXPECT_LT(r.mean_error, 90);  // sizes at the right order of magnitude after 40 epochs
  auto m = torch::jit::load(o.output);
  EXPECT_EQ(m.run_method("settings").toInt(), 4);
  // Stopped after epoch 25 (a session's end) and started again, it resumes from its
  // checkpoint and ends where the uninterrupted run did.
  std::filesystem::remove(o.output);
  auto stop_at_25 = [](const learning::training_progress& p) {
    if (p.done == 25)
      throw std::runtime_error("stopped");
  };
  EXPECT_THROW(learning::train_estimator(o, stop_at_25), std::runtime_error);
  EXPECT_FALSE(std::filesystem::exists(o.output));
  EXPECT_TRUE(std::filesystem::exists(o.output + ".checkpoint"));
  int first_epoch = 0;
  auto resumed = learning::train_estimator(o, [&](const learning::training_progress& p) {
    first_epoch = first_epoch ? first_epoch : p.done;
  });
  EXPECT_EQ(first_epoch, 26);
  EXPECT_EQ(resumed.kept_epoch, r.kept_epoch);
  EXPECT_DOUBLE_EQ(resumed.mean_error, r.mean_error);
  EXPECT_FALSE(std::filesystem::exists(o.output + ".checkpoint"));  // gone once the model is written
  o.validation_drives = 2;  // leaves nothing to train on
  EXPECT_THROW(learning::train_estimator(o), std::invalid_argument);
  std::filesystem::remove_all(dir);
}

namespace {

torch::jit::Module linear_module(int in, int out, uint64_t seed) {
  torch::manual_seed(seed);
  torch::jit::Module m("toy_linear");
  m.register_parameter("w", (torch::randn({out, in}) * 0.1).requires_grad_(), false);
  m.register_parameter("b", torch::zeros({out}).requires_grad_(), false);
  m.define("def forward(self, x):\n    return torch.linear(x, self.w, self.b)\n");
  return m;
}

}  // namespace

// A toy environment whose best action is known: the state says which of four actions
// earns 1 (a one-hot beside two random distractors); any other earns 0.
TEST(Ppo, LearnsTheBestActionOfAToyEnvironment) {
  learning::ppo_settings s;
  s.learning_rate = 1e-2;
  s.minibatch = 32;
  learning::detail::ppo agent(linear_module(6, 4, 1), linear_module(6, 1, 2), {}, s);
  std::mt19937_64 rng(3);
  auto best = [](const torch::Tensor& x) { return x.slice(1, 0, 4).argmax(1).item<int64_t>(); };
  auto draw = [&] {
    auto x = torch::zeros({1, 6});
    x[0][static_cast<int64_t>(rng() % 4)] = 1;
    x[0][4] = static_cast<float>(rng() % 1000) / 1000;
    x[0][5] = static_cast<float>(rng() % 1000) / 1000;
    return x;
  };
  auto accuracy = [&] {
    int right = 0;
    for (int k = 0; k < 200; ++k) {
      auto x = draw();
      right += agent.act(x, false, rng).action == best(x);
    }
    return right / 200.0;
  };
  double before = accuracy();
  for (int rollout = 0; rollout < 40; ++rollout) {
    std::vector<torch::Tensor> states;
    std::vector<learning::detail::ppo_step> steps;
    for (int i = 0; i < 128; ++i) {
      auto x = draw();
      auto st = agent.act(x, true, rng);
      st.reward = st.action == best(x) ? 1.0f : 0.0f;
      st.last = i % 8 == 7;
      states.push_back(x);
      steps.push_back(st);
    }
    agent.update(steps, [&](const std::vector<size_t>& idx) {
      std::vector<torch::Tensor> x;
      for (auto i : idx)
        x.push_back(states[i]);
      return torch::cat(x);
    }, rng);
  }
  EXPECT_LT(before, 0.5);
  EXPECT_GT(accuracy(), 0.95);
  // Returns are discounted within an episode and restart at its end.
  std::vector<learning::detail::ppo_step> two(3);
  two[0].reward = 1;
  two[1].reward = 1;
  two[1].last = true;
  two[2].reward = 2;
  two[2].last = true;
  auto g = agent.returns(two);
  EXPECT_FLOAT_EQ(g[0], 1 + 0.9f);
  EXPECT_FLOAT_EQ(g[1], 1);
  EXPECT_FLOAT_EQ(g[2], 2);
}

TEST(AdapterTraining, PpoOnTheReplayWritesAnAdapterForEachVariant) {
  auto dir = std::filesystem::temp_directory_path() / ("penance-adapter-" + std::to_string(::getpid()));
  learning::estimator_options e;
  e.data = toy_dataset(dir);
  e.data.drives.drive_s = 5;
  learning::build_penance_dataset(e.data);
  e.epochs = 3;
  e.validation_drives = 1;
  e.threads = 1;
  e.output = (dir / "estimator.pt").string();
  learning::train_estimator(e);
  for (auto variant : {learning::adapter_variant::penance, learning::adapter_variant::casva_c}) {
    learning::adapter_options o;
    o.data = e.data;
    o.variant = variant;
    o.estimator = e.output;
    o.steps = 200;
    o.episodes_per_rollout = 4;
    o.threads = 1;
    o.output = (dir / (std::string(learning::variant_name(variant)) + ".pt")).string();
    auto r = learning::train_adapter(o);
    EXPECT_GE(r.steps, 200);
    EXPECT_EQ(r.rollouts, 10);  // 4 episodes of 5 segments per rollout
    EXPECT_TRUE(std::isfinite(r.final_reward));
    EXPECT_TRUE(r.fail_pct >= 0 && r.fail_pct <= 100);
    EXPECT_GT(r.optimal_gmacs, 0);
    auto m = torch::jit::load(o.output);
    EXPECT_EQ(m.run_method("variant").toStringRef(), learning::variant_name(variant));
    EXPECT_GE(r.bandwidth_played_min, o.bandwidth_min);  // drawn per episode
    EXPECT_LE(r.bandwidth_played_max, o.bandwidth_max);
    EXPECT_LT(r.bandwidth_played_min, r.bandwidth_played_max);
    // The performance encoder trains with the actor in Penance; CASVA-C has no use for it.
    auto fresh = learning::build_performance_encoder({8, 45, 80, 64}, o.seed + 1);
    bool changed = false;
    auto trained = m.attr("performance").toModule().named_parameters();
    for (const auto& p : fresh.named_parameters())
      for (const auto& q : trained)
        if (p.name == q.name)
          changed = changed || !torch::equal(p.value, q.value);
    EXPECT_EQ(changed, variant == learning::adapter_variant::penance);
    auto state = torch::zeros({1, m.run_method("state_size").toInt()});
    EXPECT_EQ(m.attr("actor").toModule().forward({state}).toTensor().size(1), 8);  // 4 settings × 2 models
    if (variant != learning::adapter_variant::penance)
      continue;
    // Stopped after its 5th rollout (a session's end) and started again, it resumes from
    // its checkpoint and ends where the uninterrupted run did.
    std::filesystem::remove(o.output);
    o.checkpoint_every_s = 0;
    int calls = 0;
    auto stop_after_5 = [&](const learning::training_progress&) {
      if (++calls == 5)
        throw std::runtime_error("stopped");
    };
    EXPECT_THROW(learning::train_adapter(o, stop_after_5), std::runtime_error);
    EXPECT_TRUE(std::filesystem::exists(o.output + ".checkpoint"));
    std::string first_rollout;
    auto resumed = learning::train_adapter(o, [&](const learning::training_progress& p) {
      first_rollout = first_rollout.empty() ? p.detail : first_rollout;
    });
    EXPECT_EQ(first_rollout, "rollout 6");
    EXPECT_EQ(resumed.rollouts, r.rollouts);
    EXPECT_DOUBLE_EQ(resumed.final_reward, r.final_reward);
    EXPECT_DOUBLE_EQ(resumed.fail_pct, r.fail_pct);
    EXPECT_FALSE(std::filesystem::exists(o.output + ".checkpoint"));
  }
  // Under a recorded run's conditions, every episode plays the bandwidths its cameras met.
  learning::adapter_options recorded;
  recorded.data = e.data;
  recorded.estimator = e.output;
  recorded.steps = 40;
  recorded.episodes_per_rollout = 4;
  recorded.threads = 1;
  recorded.conditions = {{"cam-1", {0.6, 0.7, 0.6}, {2.5, 3.0, 2.0}}, {"cam-2", {0.5}, {4.0}}};
  recorded.output = (dir / "recorded.pt").string();
  auto rec = learning::train_adapter(recorded);
  EXPECT_GE(rec.bandwidth_played_min, 2.0);
  EXPECT_LE(rec.bandwidth_played_max, 4.0);
  EXPECT_TRUE(std::filesystem::exists(recorded.output));
  learning::adapter_options bad;
  bad.data = e.data;
  bad.estimator = e.output;
  bad.ppo.gamma = 2;
  EXPECT_THROW(learning::train_adapter(bad), std::invalid_argument);
  bad.ppo.gamma = 0.9;
  bad.conditions = {{"cam", {0.6, 0.7}, {1.0}}};
  EXPECT_THROW(learning::train_adapter(bad), std::invalid_argument);

  // DAO-C's predictor: any segmenter can be its frozen backbone; it predicts every
  // configuration's mIoU from a first frame, and the saved module does it alone.
  learning::dao_options dao;
  dao.data = e.data;
  dao.backbone = (dir / "seg-0.pt").string();
  dao.epochs = 3;
  dao.threads = 1;
  dao.output = (dir / "dao-c.pt").string();
  auto dr = learning::train_dao(dao);
  EXPECT_TRUE(dr.test_mae >= 0 && dr.test_mae <= 1) << dr.test_mae;
  EXPECT_GT(dr.test_mae_profile, 0);  // a drive's segments differ from its first
  auto predictor = torch::jit::load(dao.output);
  auto predicted = predictor.forward({torch::rand({1, 3, 144, 256})}).toTensor();
  EXPECT_EQ(predicted.size(1), 8);
  EXPECT_TRUE(predicted.min().item<double>() >= 0 && predicted.max().item<double>() <= 1);
  learning::dao_options no_backbone = dao;
  no_backbone.backbone = (dir / "missing.pt").string();
  EXPECT_THROW(learning::train_dao(no_backbone), std::invalid_argument);

  // `troupe bench penance` on the same toy world: every method at every point, in JSON.
  penance::register_model_loaders(learning::penance_model_loaders());
  bench_penance_options b;
  b.data = e.data;
  b.estimator = e.output;
  b.penance = (dir / "penance.pt").string();
  b.casva = (dir / "casva-c.pt").string();
  b.dao = dao.output;
  b.out_dir = (dir / "bench").string();
  ASSERT_EQ(bench_penance_command(b), 0);
  std::ifstream in(b.out_dir + "/replay.json");
  auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["fig14"].size(), 5u * 5);  // optimal, periodic profiling, dao-c, penance, casva-c at five bandwidths
  EXPECT_EQ(j["fig15"].size(), 3u * 5);
  for (auto& row : j["fig14"]) {
    EXPECT_EQ(row["segments"], 5) << row;
    EXPECT_TRUE(row["fail_pct"].get<double>() >= 0 && row["fail_pct"].get<double>() <= 100) << row;
  }
  std::filesystem::remove_all(dir);
}

TEST(SegmenterNetwork, ADepthwiseConvKeepsTheFiltersOfItsInputsKeptChannels) {
  auto g = penance::segmenter_graph::parse(
      "in 3\n"
      "c1 image 8 3 2 1 0 - 1 0\n"
      "dw c1 8 3 1 1 0 - 1 1\n"
      "pw dw 16 1 1 1 0 - 1 0\n"
      "classes pw 4 1 1 1 0 - 0 0\n");
  auto m = learning::build_segmenter(g, 5);
  EXPECT_EQ(m.forward({torch::rand({1, 3, 40, 64})}).toTensor().sizes(), (std::vector<int64_t>{1, 4, 40, 64}));
  auto pruned = learning::prune_segmenter(m, 0.5);
  auto kept = std::get<0>(std::get<1>(m.attr("w_c1").toTensor().abs().sum({1, 2, 3}).topk(4)).sort());
  EXPECT_TRUE(torch::equal(pruned.attr("w_dw").toTensor(), m.attr("w_dw").toTensor().index_select(0, kept)));
  EXPECT_EQ(pruned.attr("w_pw").toTensor().size(1), 4);
  EXPECT_EQ(pruned.forward({torch::rand({1, 3, 40, 64})}).toTensor().sizes(), (std::vector<int64_t>{1, 4, 40, 64}));
}
