#include "learning/forecaster_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include <torch/torch.h>

#include "learning/detail/kept_epoch.hpp"

namespace troupe::learning {

namespace {

struct windows {
  std::vector<float> inputs, targets;  // rows of h and of k
  size_t count = 0;
};

// Every (h past, k next) pair of each trace, in the part of the split its targets end in.
void cut(const std::vector<double>& trace, const forecaster_options& o, double scale, windows& train,
         windows& validation, windows& held_out) {
  if (trace.size() < o.h + o.k)
    return;
  for (size_t end = o.h; end + o.k <= trace.size(); ++end) {
    auto part = o.split.of(end + o.k, trace.size());
    auto& w = part == split_part::train ? train : part == split_part::validation ? validation : held_out;
    for (size_t i = end - o.h; i < end; ++i)
      w.inputs.push_back(float(trace[i] / scale));
    for (size_t i = end; i < end + o.k; ++i)
      w.targets.push_back(float(trace[i] / scale));
    ++w.count;
  }
}

torch::Tensor as_tensor(std::vector<float>& v, size_t rows, size_t cols) {
  return torch::from_blob(v.data(), {int64_t(rows), int64_t(cols)}, torch::kFloat32).clone();
}

double naive_mse(const windows& w, const forecaster_options& o, double scale) {
  double sum = 0;
  for (size_t r = 0; r < w.count; ++r) {
    double mean = 0;
    for (size_t i = o.h - o.k; i < o.h; ++i)
      mean += w.inputs[r * o.h + i];
    mean /= double(o.k);
    for (size_t i = 0; i < o.k; ++i)
      sum += std::pow((mean - w.targets[r * o.k + i]) * scale, 2);
  }
  return w.count == 0 ? 0 : sum / double(w.count * o.k);
}

// A set's windows as tensors, built once: the validation set is scored every epoch.
struct tensors {
  torch::Tensor x, y;
  size_t count = 0;
};

tensors as_tensors(windows& w, const forecaster_options& o) {
  if (w.count == 0)
    return {};
  return {as_tensor(w.inputs, w.count, o.h), as_tensor(w.targets, w.count, o.k), w.count};
}

// The two networks: h → relu(units) → k, or an LSTM over the h slots whose last
// hidden state a linear layer maps to the k (inputs B×h, outputs B×k).
struct forecast_netImpl : torch::nn::Module {
  forecast_netImpl(forecaster_network kind, size_t h, size_t k, size_t units) : kind(kind) {
    if (kind == forecaster_network::dense) {
      first = register_module("first", torch::nn::Linear(int64_t(h), int64_t(units)));
    } else {
      lstm = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(1, int64_t(units))));
    }
    out = register_module("out", torch::nn::Linear(int64_t(units), int64_t(k)));
  }

  torch::Tensor forward(const torch::Tensor& x) {
    if (kind == forecaster_network::dense)
      return out(torch::relu(first(x)));
    auto seq = std::get<0>(lstm(x.t().unsqueeze(-1)));  // h×B×units
    return out(seq[seq.size(0) - 1]);
  }

  forecaster_network kind;
  torch::nn::Linear first{nullptr}, out{nullptr};
  torch::nn::LSTM lstm{nullptr};
};
TORCH_MODULE(forecast_net);

// Forecasts are clamped at zero, as balancers clamp them (videojam_forecaster.cpp).
double network_mse(forecast_net& net, const tensors& t, double scale) {
  if (t.count == 0)
    return 0;
  torch::NoGradGuard no_grad;
  return torch::mse_loss(net->forward(t.x).clamp_min(0), t.y).item<double>() * scale * scale;
}

template <class T>
std::vector<float> flat(const T& tensor) {
  auto t = tensor.contiguous();
  return std::vector<float>(t.template data_ptr<float>(), t.template data_ptr<float>() + t.numel());
}

// A forecaster larger than this is not what VideoJam's balancers need and would take
// this machine's memory (a dense layer of 10⁸ units is 20 GB).
constexpr double max_forecaster_parameters = 50e6;

std::string fixed_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Refuses what would crash, hang or write nonsense: sizes out of range, a network too
// large to train here, a learning rate that is not a positive number.
void check(const forecaster_options& o) {
  auto bad = [](const std::string& why) { throw std::runtime_error("train-forecaster: " + why); };
  if (o.epochs < 1)
    bad("epochs must be at least 1, not " + std::to_string(o.epochs));
  if (o.h < 1 || o.h > 100000 || o.k < 1 || o.k > 100000)
    bad("history and horizon must be 1 to 100000 slots");
  if (o.batch < 1)
    bad("batch must be at least 1");
  if (!std::isfinite(o.learning_rate) || o.learning_rate <= 0)
    bad("the learning rate must be a positive number");
  double u = double(o.units > 0 ? o.units : o.network == forecaster_network::dense ? 512 : 64);
  double h = double(o.h), k = double(o.k);
  double parameters = o.network == forecaster_network::dense ? u * (h + 1) + k * (u + 1) : 4 * u * (u + 3) + k * (u + 1);
  if (parameters > max_forecaster_parameters)
    bad(fixed_text(parameters / 1e6) + " M parameters with these history, horizon and units; at most " +
        fixed_text(max_forecaster_parameters / 1e6) + " M");
  o.split.check("train-forecaster");
}

}  // namespace

forecaster_result train_forecaster(const forecaster_options& o,
                                   const progress_callback& progress) {
  auto started = std::chrono::steady_clock::now();
  check(o);
  std::vector<std::vector<double>> traces;
  double peak = 1;
  for (auto& file : o.traces) {
    traces.push_back(videojam::load_load_trace(file));
    for (double v : traces.back())
      peak = std::max(peak, v);
  }
  windows train, validation, held_out;
  for (auto& t : traces)
    cut(t, o, peak, train, validation, held_out);
  if (train.count == 0)
    throw std::runtime_error("train-forecaster: no trace is longer than h + k = " + std::to_string(o.h + o.k) +
                             " slots before its validation and held-out parts");
  torch::manual_seed(o.seed);
  auto units = o.units > 0 ? o.units : o.network == forecaster_network::dense ? 512 : 64;
  forecast_net net(o.network, o.h, o.k, units);
  torch::optim::Adam optimiser(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  auto x = as_tensor(train.inputs, train.count, o.h), y = as_tensor(train.targets, train.count, o.k);
  auto scored = as_tensors(validation, o);
  forecaster_result result;
  detail::kept_epoch kept;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    auto order = torch::randperm(int64_t(train.count));
    double sum = 0;
    for (int64_t at = 0; at < int64_t(train.count); at += o.batch) {
      auto idx = order.slice(0, at, std::min<int64_t>(at + o.batch, int64_t(train.count)));
      auto loss = torch::mse_loss(net->forward(x.index_select(0, idx)), y.index_select(0, idx));
      optimiser.zero_grad();
      loss.backward();
      optimiser.step();
      sum += loss.item<double>() * double(idx.size(0));
    }
    double train_mse = sum / double(train.count) * peak * peak;
    double validation_mse = network_mse(net, scored, peak);
    if (kept.offer(epoch, validation_mse, validation.count > 0, net->parameters())) {
      result.kept_epoch = epoch;
      result.train_mse = train_mse;
      result.validation_mse = validation_mse;
    }
    if (progress)
      progress({epoch, o.epochs, train_mse, "validation MSE " + std::to_string(validation_mse)});
  }
  kept.restore(net->parameters());
  result.held_out_mse = network_mse(net, as_tensors(held_out, o), peak);
  result.naive_held_out_mse = naive_mse(held_out, o, peak);
  result.network = o.network;
  if (o.network == forecaster_network::dense) {
    result.weights = {o.h, o.k, units, peak, flat(net->first->weight), flat(net->first->bias), flat(net->out->weight),
                      flat(net->out->bias)};
    if (!o.output.empty())
      videojam::save_dense_weights(result.weights, o.output);
  } else {
    result.lstm = {o.h, o.k, units, peak, flat(net->lstm->named_parameters()["weight_ih_l0"]),
                   flat(net->lstm->named_parameters()["weight_hh_l0"]), flat(net->lstm->named_parameters()["bias_ih_l0"]),
                   flat(net->lstm->named_parameters()["bias_hh_l0"]), flat(net->out->weight), flat(net->out->bias)};
    if (!o.output.empty())
      videojam::save_lstm_weights(result.lstm, o.output);
  }
  result.train_samples = train.count;
  result.validation_samples = validation.count;
  result.held_out_samples = held_out.count;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace troupe::learning
