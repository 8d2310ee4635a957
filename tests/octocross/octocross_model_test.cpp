// OctoCross's learned model (learning/octocross_model): its outputs' shapes for one
// node, sixteen and N_max, with a node masked; training on a planted periodic load
// beats the naive forecast; finetuning; weight files of another shape refused by field.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "learning/octocross_model.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::octocross;

namespace {

// n nodes in a line, `seconds` samples; node i's load is periodic (period 16 s) with
// its own phase, μ 30 objects/s; every link 20 ms.
cluster_recording planted(size_t n, size_t seconds) {
  cluster_recording r;
  for (size_t i = 0; i < n; ++i)
    r.nodes.push_back("cam" + std::to_string(i));
  for (size_t i = 0; i + 1 < n; ++i)
    r.edges.emplace_back(i, i + 1);
  for (size_t t = 0; t < seconds; ++t) {
    auto s = cluster_sample::empty(n, double(t + 1));
    for (size_t i = 0; i < n; ++i) {
      s.objects[i] = 20 + 15 * std::sin(2 * M_PI * double(t + 4 * i) / 16.0);
      s.mu[i] = 30;
      s.busy[i] = std::min(1.0, s.objects[i] / 30);
      s.up[i] = true;
      for (size_t j = 0; j < n; ++j)
        if (j != i)
          s.delay_ms[i][j] = 20;
    }
    r.samples.push_back(s);
  }
  return r;
}

std::string written(const cluster_recording& r, const std::string& name) {
  std::string text = trace_header(r);
  for (auto& s : r.samples)
    text += trace_rows(r, s);
  return troupe::testing::write_temp(name, text);
}

model_shape small() {
  model_shape s;
  s.tau = 16;
  s.d = 16;
  s.heads = 2;
  s.layers = 1;
  s.n_max = 8;
  return s;
}

learning::octocross_options options(const std::string& trace, const model_shape& shape, int epochs) {
  learning::octocross_options o;
  o.traces = {trace};
  o.shape = shape;
  o.epochs = epochs;
  o.validate_every = 25;
  return o;
}

// Weights of `shape` trained `epochs` on `trace`, written to TempDir/NAME.pt.
std::string trained(const std::string& trace, const model_shape& shape, int epochs, const std::string& name) {
  auto o = options(trace, shape, epochs);
  o.output = std::string(::testing::TempDir()) + "/" + name + ".pt";
  learning::train_octocross(o);
  return o.output;
}

// A state of n nodes with node `away` masked (n > away), all with 10 objects/s.
cluster_state state_of(size_t n, size_t tau, size_t away) {
  cluster_state s;
  s.history = matrix(n, std::vector<double>(tau, 10));
  s.mu = std::vector<double>(n, 30);
  s.up = std::vector<bool>(n, true);
  if (away < n)
    s.up[away] = false;
  for (size_t i = 0; i < n; ++i)
    s.slot.push_back(i);
  s.a_phys = physical_view(n, {}, s.up);
  auto delay = matrix(n, std::vector<double>(n, 20));
  s.a_net = network_view(delay, std::vector<std::vector<bool>>(n, std::vector<bool>(n, true)), 200, s.up);
  s.a_res = resource_view(std::vector<double>(n, 0.3), s.up);
  return s;
}

void expect_a_plan(const model_decision& d, size_t n, size_t tau, size_t away) {
  ASSERT_EQ(d.forecast.size(), n);
  ASSERT_EQ(d.offload.size(), n);
  for (size_t i = 0; i < n; ++i) {
    ASSERT_EQ(d.forecast[i].size(), tau);
    ASSERT_EQ(d.offload[i].size(), n);
    double row = 0;
    for (size_t j = 0; j < n; ++j) {
      EXPECT_TRUE(std::isfinite(d.offload[i][j]));
      row += d.offload[i][j];
      if (j == away && i != away) {
        EXPECT_LT(d.offload[i][j], 1e-6) << "a plan sends to the masked node";
      }
    }
    EXPECT_NEAR(row, i == away ? 0.0 : 1.0, 1e-4) << "row " << i;
  }
}

}  // namespace

TEST(OctoCrossModel, PlansForOneSixteenAndNMaxNodesWithOneMasked) {
  model_shape shape;  // the defaults: τ 32, d 64, 8 heads, L 2, N_max 128
  auto model = learning::load_octocross_model(trained(written(planted(4, 100), "planted-4.csv"), shape, 1, "default"),
                                              shape);
  EXPECT_EQ(model->known_nodes(), (std::vector<std::string>{"cam0", "cam1", "cam2", "cam3"}));
  expect_a_plan(model->decide(state_of(1, 32, 1)), 1, 32, 1);
  expect_a_plan(model->decide(state_of(16, 32, 5)), 16, 32, 5);
  expect_a_plan(model->decide(state_of(128, 32, 127)), 128, 32, 127);
}

TEST(OctoCrossModel, LearnsAPlantedPeriodicLoadBetterThanTheNaiveForecast) {
  auto r = learning::train_octocross(options(written(planted(3, 700), "planted-3.csv"), small(), 600));
  EXPECT_GT(r.train_windows, 300u);
  EXPECT_GT(r.held_out_windows, 50u);
  EXPECT_LT(r.held_out_mse, 0.5 * r.naive_held_out_mse) << "naive " << r.naive_held_out_mse;
  std::printf("held-out MSE %.2f, naive %.2f\n", r.held_out_mse, r.naive_held_out_mse);
}

TEST(OctoCrossModel, FinetunesACopyForALostOrANewNode) {
  auto shape = small();
  auto model = learning::load_octocross_model(trained(written(planted(3, 120), "planted-3-short.csv"), shape, 5, "small"),
                                              shape);
  auto data = planted(4, 80);
  for (auto& s : data.samples)
    s.up[1] = false;
  auto lost = model->finetuned({data, {1}, true, 10, {}});
  expect_a_plan(lost->decide(state_of(4, shape.tau, 1)), 4, shape.tau, 1);
  auto joined = model->finetuned({planted(4, 80), {3}, false, 10, {}});
  EXPECT_EQ(joined->known_nodes().size(), 4u);
  EXPECT_EQ(joined->known_nodes()[3], "cam3");
  EXPECT_EQ(model->known_nodes().size(), 3u);  // the original is left as it was
  EXPECT_THROW(model->finetuned({planted(4, 20), {3}, false, 10, {}}), std::runtime_error);  // under 2τ of data
  auto cancel = std::make_shared<std::atomic<bool>>(true);  // the scheduler is exiting
  EXPECT_THROW(model->finetuned({planted(4, 80), {3}, false, 10, cancel}), std::runtime_error);
  auto placed = model->placed();  // slot 3 placed at the mean of 0–2: it plans at once
  expect_a_plan(placed->decide(state_of(4, shape.tau, 9)), 4, shape.tau, 9);
}

TEST(OctoCrossModel, AFinetuneWorseThanTheModelItWouldReplaceIsKeptOut) {
  auto shape = small();
  auto model = learning::load_octocross_model(trained(written(planted(3, 120), "planted-3-kept.csv"), shape, 5, "kept"),
                                              shape);
  auto lost_node_one = [](cluster_recording r) {
    for (auto& s : r.samples)
      s.up[1] = false;
    return r;
  };
  auto shifted = lost_node_one(planted(4, 200));  // trains on 100 objects/s, judged on the newest fifth's 5
  for (size_t t = 0; t < shifted.samples.size(); ++t)
    for (auto& o : shifted.samples[t].objects)
      o = t < 160 ? 100 : 5;
  auto tuned = model->finetuned({shifted, {1}, true, 200, {}});
  EXPECT_NE(tuned->describe().find("kept out (validation loss"), std::string::npos) << tuned->describe();
  auto alike = model->finetuned({lost_node_one(planted(4, 200)), {1}, true, 200, {}});
  EXPECT_EQ(alike->describe().find("kept out"), std::string::npos) << alike->describe();
}

// A μ of 10⁻⁵ objects/s (a slot with next to no work) is no capacity: without the floor
// the overload term divides by it and reaches 10¹⁴, drowning what the loss judges.
TEST(OctoCrossModel, AMuUnderOneObjectPerSecondIsNotMeasured) {
  auto shape = small();
  auto r = planted(3, 120);
  for (auto& s : r.samples)
    s.mu[2] = 1e-5;
  auto o = options(written(r, "planted-3-tiny-mu.csv"), shape, 5);
  o.output = std::string(::testing::TempDir()) + "/tiny-mu.pt";
  auto result = learning::train_octocross(o);
  EXPECT_LT(result.held_out_overload, 1.0);
}

TEST(OctoCrossModel, WeightsOfAnotherShapeAreRefusedByFileAndField) {
  auto shape = small();
  auto o = options(written(planted(2, 80), "planted-2.csv"), shape, 1);
  auto path = trained(o.traces[0], shape, 1, "refused");
  for (auto [field, value] : std::vector<std::pair<std::string, size_t>>{{"tau", 8}, {"d", 32}, {"heads", 4},
                                                                         {"n_max", 128}}) {
    auto other = shape;
    (field == "tau" ? other.tau : field == "d" ? other.d : field == "heads" ? other.heads : other.n_max) = value;
    try {
      learning::load_octocross_model(path, other);
      ADD_FAILURE() << field;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ": " + field + " is "), std::string::npos) << e.what();
    }
  }
  auto junk = troupe::testing::write_temp("not-weights.pt", "hello\n");
  EXPECT_THROW(learning::load_octocross_model(junk, shape), std::runtime_error);
  o.ahead = 0;  // a decision covering no sample
  EXPECT_THROW(learning::train_octocross(o), std::runtime_error);
  o.ahead = 15;
  o.net_weight = -1;
  EXPECT_THROW(learning::train_octocross(o), std::runtime_error);
  o.net_weight = 0.1;
  o.shape.d = 15;  // not a multiple of the heads
  EXPECT_THROW(learning::train_octocross(o), std::runtime_error);
}

TEST(OctoCrossModel, EveryVariantForecastsAndOnlyThoseWithAHeadPlan) {
  auto trace = written(planted(3, 100), "planted-variants.csv");
  for (auto v : {model_variant::temp_abl, model_variant::spat_abl, model_variant::gnn_lstm}) {
    auto shape = small();
    shape.variant = v;
    auto path = trained(trace, shape, 3, variant_name(v));
    auto model = learning::load_octocross_model(path, shape);
    auto d = model->decide(state_of(4, shape.tau, 2));
    ASSERT_EQ(d.forecast.size(), 4u) << variant_name(v);
    EXPECT_EQ(d.forecast[0].size(), shape.tau);
    if (v == model_variant::temp_abl)
      expect_a_plan(d, 4, shape.tau, 2);
    else
      EXPECT_TRUE(d.offload.empty()) << variant_name(v) << ": no head, the greedy offloads place the load";
    auto tuned = model->finetuned({planted(3, 40), {2}, true, 3, {}});
    EXPECT_NE(tuned->describe().find(v == model_variant::gnn_lstm ? "+retrained" : "+finetuned"), std::string::npos);
    auto other = shape;
    other.variant = model_variant::octocross;
    try {
      learning::load_octocross_model(path, other);
      ADD_FAILURE() << variant_name(v);
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(path + ": variant is " + variant_name(v) + ", the scheduler's is octocross"),
                std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_variant("lstm"), std::runtime_error);
}

// §3.1's mask in the head: only a node whose forecast is above its μ offloads, only to
// one below; every other row keeps all. An untrained model forecasts within a few
// objects/s of 0 here (LayerNorm'd features through the decoder), so μ = −10 for node 0
// and 10 for the others make node 0 the only overloaded node without saturating the
// head (whose inputs include μ).
TEST(OctoCrossModel, TheHeadOffloadsOnlyFromOverloadedToUnderloadedNodes) {
  auto shape = small();
  auto model = learning::untrained_octocross_model(shape, 1, {"cam0", "cam1", "cam2", "cam3"});
  auto state = state_of(4, shape.tau, 9);
  state.mu = {-10, 10, 10, 10};
  auto d = model->decide(state);
  expect_a_plan(d, 4, shape.tau, 9);
  for (size_t j = 1; j < 4; ++j)
    EXPECT_GT(d.offload[0][j], 0.0) << "the mask lets the overloaded node send to node " << j;
  for (size_t i = 1; i < 4; ++i)
    EXPECT_NEAR(d.offload[i][i], 1.0, 1e-6) << "node " << i << " is not overloaded: it keeps all";
  state.mu = {10, 10, 10, 10};
  d = model->decide(state);
  for (size_t i = 0; i < 4; ++i)
    EXPECT_NEAR(d.offload[i][i], 1.0, 1e-6) << "no node is overloaded: node " << i << " keeps all";
}
