// VideoJam's forecasters: the naive one, the dense network evaluated from its weight
// file, its file format's errors, and training with libtorch on a recorded trace.
#include <cmath>
#include <fstream>

#include <gtest/gtest.h>

#include "learning/forecaster_training.hpp"
#include "actors/videojam/core/forecaster.hpp"
#include "test_support.hpp"

using namespace troupe::videojam;

namespace {

// Training options on a trace of `slots` slots written to `name`, slot s carrying
// items(s), for a network of `units` from h slots to the next k.
template <class Items>
troupe::learning::forecaster_options training_on(const std::string& name, int slots, Items items, size_t h,
                                                 size_t k, size_t units, int epochs) {
  std::string text = "slot,items\n";
  for (int s = 0; s < slots; ++s)
    text += std::to_string(s) + "," + std::to_string(items(s)) + "\n";
  troupe::learning::forecaster_options o;
  o.traces = {troupe::testing::write_temp(name, text)};
  o.h = h;
  o.k = k;
  o.units = units;
  o.epochs = epochs;
  return o;
}

}  // namespace

TEST(VideoJamForecaster, NaiveRepeatsTheLastWindowsMean) {
  naive_forecaster f(2);
  EXPECT_EQ(f.forecast({9, 1, 3}), (std::vector<double>{2, 2}));
  EXPECT_EQ(f.forecast({}), (std::vector<double>{0, 0}));
  EXPECT_EQ(last_slots({4, 5}, 4), (std::vector<double>{4, 4, 4, 5}));
}

TEST(VideoJamForecaster, DenseEvaluatesReluLayerAndScale) {
  // h=2, k=1, 2 units; x = [4, 2] / 2 = [2, 1]; hidden = relu([2, −1]) = [2, 0]; out = (2 + 0.5) · 2.
  dense_weights w{2, 1, 2, 2.0, {1, 0, 0, -1}, {0, 0}, {1, 1}, {0.5f}};
  dense_forecaster f(w);
  auto out = f.forecast({4, 2});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_NEAR(out[0], 5.0, 1e-6);
  auto path = troupe::testing::write_temp("forecaster.txt", "");
  save_dense_weights(w, path);
  EXPECT_NEAR(make_forecaster(path, 2, 1)->forecast({4, 2})[0], 5.0, 1e-6);
  EXPECT_THROW(make_forecaster(path, 50, 10), std::runtime_error);  // trained for another h, k
}

TEST(VideoJamForecaster, BadFilesAreRefusedByName) {
  auto path = troupe::testing::write_temp("not-forecaster.txt", "hello\n");
  try {
    load_dense_weights(path);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not-forecaster.txt"), std::string::npos);
  }
  auto short_file = troupe::testing::write_temp("short.txt", "troupe-forecaster 1\n2 1 2 1\n1 0 0\n");
  EXPECT_THROW(load_dense_weights(short_file), std::runtime_error);
  auto trace = troupe::testing::write_temp("bad-trace.csv", "slot,items\n0,3\n1,x\n");
  try {
    load_load_trace(trace);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad-trace.csv:3"), std::string::npos);
  }
}

// What once crashed, hung or wrote NaN weights with exit 0 is refused, saying what and where.
TEST(VideoJamForecaster, NonsenseInputIsRefusedNotTrained) {
  for (auto row : {"2,nan", "2,inf", "2,-3", "2,4 apples"}) {
    auto trace = troupe::testing::write_temp("nan-trace.csv", std::string("slot,items\n0,3\n1,4\n") + row + "\n");
    try {
      load_load_trace(trace);
      FAIL() << row;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("nan-trace.csv:4: "), std::string::npos) << e.what();
    }
  }
  auto o = training_on("fine.csv", 200, [](int s) { return 5.0 + s % 3; }, 8, 2, 16, 1);
  auto refused = [&](auto change) {
    auto bad = o;
    change(bad);
    EXPECT_THROW(troupe::learning::train_forecaster(bad), std::runtime_error);
  };
  refused([](auto& b) { b.h = 0; });
  refused([](auto& b) { b.h = size_t(-5); });  // what "--history -5" once became
  refused([](auto& b) { b.units = 100000000; });
  refused([](auto& b) { b.learning_rate = std::nan(""); });
  refused([](auto& b) { b.epochs = 0; });
}

TEST(VideoJamForecaster, TrainedNetworkBeatsNaiveOnAPeriodicTrace) {
  auto o = training_on(  // a 16-slot cycle the naive mean of the last window cannot follow
      "periodic.csv", 600, [](int s) { return 10 + 8 * std::sin(2 * M_PI * s / 16.0) + (s * 7919 % 5) * 0.2; }, 32, 8,
      64, 40);
  o.output = troupe::testing::write_temp("periodic-forecaster.txt", "");
  auto r = troupe::learning::train_forecaster(o);
  EXPECT_GT(r.held_out_samples, 50u);
  EXPECT_GT(r.validation_samples, 20u);
  EXPECT_LT(r.held_out_mse, 0.5 * r.naive_held_out_mse);
  auto f = make_forecaster(o.output, 32, 8);  // what balancers load gives what training measured
  auto trace = load_load_trace(o.traces[0]);
  std::vector<double> history(trace.begin() + 500, trace.begin() + 532);
  auto out = f->forecast(history);
  for (size_t i = 0; i < 8; ++i)
    EXPECT_NEAR(out[i], trace[532 + i], 3.0);
}

TEST(VideoJamForecaster, LstmEvaluatesItsGatesAndItsFileIsToldApartByItsFirstLine) {
  // One unit, h = 1, k = 1, scale 2: x = 4 / 2 = 2; gates (i, f, g, o) = w_ih·x + biases with
  // w_ih = [1, 0, 0.5, 0], b_ih = 0, b_hh = [0, 0, 0, 1]: i = σ(2), g = tanh(1), o = σ(1);
  // c = i·g, h = o·tanh(c); out = (3·h + 0.5) · 2.
  lstm_weights w{1, 1, 1, 2.0, {1, 0, 0.5f, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 1}, {3}, {0.5f}};
  auto sig = [](double v) { return 1 / (1 + std::exp(-v)); };
  double c = sig(2) * std::tanh(1.0), h = sig(1) * std::tanh(c);
  EXPECT_NEAR(lstm_forecaster(w).forecast({4})[0], (3 * h + 0.5) * 2, 1e-5);
  auto path = troupe::testing::write_temp("lstm.txt", "");
  save_lstm_weights(w, path);
  auto f = make_forecaster(path, 1, 1);
  EXPECT_EQ(f->name(), "lstm");
  EXPECT_NEAR(f->forecast({4})[0], (3 * h + 0.5) * 2, 1e-5);
  EXPECT_THROW(make_forecaster(path, 50, 10), std::runtime_error);
  EXPECT_THROW(load_dense_weights(path), std::runtime_error);  // an LSTM file is not a dense one
}

TEST(VideoJamForecaster, TrainedLstmBeatsNaiveOnAPeriodicTrace) {
  auto o = training_on(
      "periodic-lstm.csv", 600, [](int s) { return 10 + 8 * std::sin(2 * M_PI * s / 16.0) + (s * 7919 % 5) * 0.2; }, 32,
      8, 16, 60);
  o.network = troupe::learning::forecaster_network::lstm;
  o.output = troupe::testing::write_temp("periodic-lstm.txt", "");
  auto r = troupe::learning::train_forecaster(o);
  EXPECT_LT(r.held_out_mse, 0.5 * r.naive_held_out_mse);
  auto f = make_forecaster(o.output, 32, 8);  // the plain C++ LSTM gives what libtorch's did
  auto trace = load_load_trace(o.traces[0]);
  std::vector<double> history(trace.begin() + 500, trace.begin() + 532);
  auto out = f->forecast(history);
  double sum = 0;
  for (size_t i = 0; i < 8; ++i)
    sum += std::pow(out[i] - trace[532 + i], 2);
  EXPECT_LT(sum / 8, 0.5 * r.naive_held_out_mse);
}

// Pure noise has nothing to learn: a wide network trained long only memorises the
// training part, so the validation part must stop it early, and what it keeps must
// score better on the held-out part than the last epoch does.
TEST(VideoJamForecaster, ValidationKeepsTheEpochBeforeOverfitting) {
  uint64_t state = 12345;
  auto noise = [&state](int) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return 10 + double(state >> 40) / double(1 << 24) * 10;
  };
  auto o = training_on("noise.csv", 400, noise, 32, 4, 512, 300);
  auto early = troupe::learning::train_forecaster(o);
  o.split.validation = 0;
  auto last = troupe::learning::train_forecaster(o);
  EXPECT_EQ(last.kept_epoch, 300);
  EXPECT_LT(last.train_mse, 0.7 * last.held_out_mse);  // memorised the training part
  EXPECT_LT(early.kept_epoch, 300);
  EXPECT_LT(early.held_out_mse, last.held_out_mse);
}

TEST(VideoJamForecaster, SplitsThatLeaveNothingToTrainOnAndNoEpochsAreRefused) {
  auto o = training_on("short-cycle.csv", 200, [](int s) { return s % 7; }, 8, 2, 8, 1);
  EXPECT_EQ(troupe::learning::train_forecaster(o).kept_epoch, 1);  // the trace itself is fine
  o.split.validation = 0.5;
  o.split.held_out = 0.5;
  EXPECT_THROW(troupe::learning::train_forecaster(o), std::runtime_error);
  o.split.validation = 0.1;
  o.split.held_out = -0.1;
  EXPECT_THROW(troupe::learning::train_forecaster(o), std::runtime_error);
  o.split.held_out = 0.2;
  o.epochs = 0;
  EXPECT_THROW(troupe::learning::train_forecaster(o), std::runtime_error);
}
