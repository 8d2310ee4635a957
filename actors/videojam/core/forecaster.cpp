#include "actors/videojam/core/forecaster.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <stdexcept>

namespace troupe::videojam {

std::vector<double> last_slots(const std::vector<double>& history, size_t h) {
  std::vector<double> out(h, history.empty() ? 0.0 : history.front());
  size_t n = std::min(h, history.size());
  std::copy(history.end() - long(n), history.end(), out.end() - long(n));
  return out;
}

std::vector<double> naive_forecaster::forecast(const std::vector<double>& history) const {
  auto last = last_slots(history, k_);
  double mean = std::accumulate(last.begin(), last.end(), 0.0) / double(k_);
  return std::vector<double>(k_, mean);
}

dense_forecaster::dense_forecaster(dense_weights w) : w_(std::move(w)) {
  if (w_.w1.size() != w_.units * w_.h || w_.b1.size() != w_.units || w_.w2.size() != w_.k * w_.units ||
      w_.b2.size() != w_.k || w_.scale <= 0)
    throw std::invalid_argument("dense forecaster: weights do not match h, k and units");
}

std::vector<double> dense_forecaster::forecast(const std::vector<double>& history) const {
  auto x = last_slots(history, w_.h);
  std::vector<float> hidden(w_.units);
  for (size_t u = 0; u < w_.units; ++u) {
    float sum = w_.b1[u];
    const float* row = &w_.w1[u * w_.h];
    for (size_t i = 0; i < w_.h; ++i)
      sum += row[i] * float(x[i] / w_.scale);
    hidden[u] = std::max(0.0f, sum);
  }
  std::vector<double> out(w_.k);
  for (size_t o = 0; o < w_.k; ++o) {
    float sum = w_.b2[o];
    const float* row = &w_.w2[o * w_.units];
    for (size_t u = 0; u < w_.units; ++u)
      sum += row[u] * hidden[u];
    out[o] = std::max(0.0, double(sum) * w_.scale);  // no negative arrivals
  }
  return out;
}

lstm_forecaster::lstm_forecaster(lstm_weights w) : w_(std::move(w)) {
  auto u = w_.units;
  if (w_.w_ih.size() != 4 * u || w_.w_hh.size() != 4 * u * u || w_.b_ih.size() != 4 * u || w_.b_hh.size() != 4 * u ||
      w_.w_out.size() != w_.k * u || w_.b_out.size() != w_.k || w_.scale <= 0)
    throw std::invalid_argument("lstm forecaster: weights do not match k and units");
}

std::vector<double> lstm_forecaster::forecast(const std::vector<double>& history) const {
  auto u = w_.units;
  auto sigmoid = [](float v) { return 1.0f / (1.0f + std::exp(-v)); };
  std::vector<float> hidden(u, 0), cell(u, 0), gates(4 * u);
  for (double x : last_slots(history, w_.h)) {
    for (size_t g = 0; g < 4 * u; ++g) {
      float sum = w_.w_ih[g] * float(x / w_.scale) + w_.b_ih[g] + w_.b_hh[g];
      const float* row = &w_.w_hh[g * u];
      for (size_t j = 0; j < u; ++j)
        sum += row[j] * hidden[j];
      gates[g] = sum;
    }
    for (size_t j = 0; j < u; ++j) {
      float in = sigmoid(gates[j]), forget = sigmoid(gates[u + j]), candidate = std::tanh(gates[2 * u + j]),
            out = sigmoid(gates[3 * u + j]);
      cell[j] = forget * cell[j] + in * candidate;
      hidden[j] = out * std::tanh(cell[j]);
    }
  }
  std::vector<double> out(w_.k);
  for (size_t o = 0; o < w_.k; ++o) {
    float sum = w_.b_out[o];
    for (size_t j = 0; j < u; ++j)
      sum += w_.w_out[o * u + j] * hidden[j];
    out[o] = std::max(0.0, double(sum) * w_.scale);
  }
  return out;
}

namespace {

const char* dense_magic = "troupe-forecaster";
const char* lstm_magic = "troupe-forecaster-lstm";

template <class Weights>
void save_arrays(const Weights& w, const char* magic, const std::vector<const std::vector<float>*>& arrays,
                 const std::string& path) {
  std::ofstream out(path);
  out << magic << " 1\n" << w.h << " " << w.k << " " << w.units << " " << w.scale << "\n";
  out.precision(9);
  for (auto* v : arrays) {
    for (float x : *v)
      out << x << " ";
    out << "\n";
  }
  if (!out)
    throw std::runtime_error(path + ": cannot write the forecaster");
}

// Opens a weight file, checks its first line and reads h, k, units and scale.
template <class Weights>
std::ifstream open_weights(const std::string& path, const char* magic, Weights& w) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot read the forecaster");
  std::string found;
  int version = 0;
  if (!(in >> found >> version) || found != magic || version != 1)
    throw std::runtime_error(path + ": not a " + magic + " 1 file (train one with troupe train-forecaster)");
  if (!(in >> w.h >> w.k >> w.units >> w.scale) || w.h == 0 || w.k == 0 || w.units == 0)
    throw std::runtime_error(path + ": bad h, k, units or scale");
  return in;
}

void read_array(std::ifstream& in, const std::string& path, std::vector<float>& v, size_t n, const char* what) {
  v.resize(n);
  for (auto& x : v)
    if (!(in >> x))
      throw std::runtime_error(path + ": " + what + " ends early");
}

std::string first_word(const std::string& path) {
  std::ifstream in(path);
  std::string word;
  in >> word;
  return word;
}

template <class Weights>
void check_window(const Weights& w, const std::string& model, size_t h, size_t k) {
  if (w.h != h || w.k != k)
    throw std::runtime_error(model + ": trained for h=" + std::to_string(w.h) + " k=" + std::to_string(w.k) +
                             ", the balancer uses h=" + std::to_string(h) + " k=" + std::to_string(k));
}

}  // namespace

void save_dense_weights(const dense_weights& w, const std::string& path) {
  save_arrays(w, dense_magic, {&w.w1, &w.b1, &w.w2, &w.b2}, path);
}

void save_lstm_weights(const lstm_weights& w, const std::string& path) {
  save_arrays(w, lstm_magic, {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_out, &w.b_out}, path);
}

dense_weights load_dense_weights(const std::string& path) {
  dense_weights w;
  auto in = open_weights(path, dense_magic, w);
  read_array(in, path, w.w1, w.units * w.h, "w1");
  read_array(in, path, w.b1, w.units, "b1");
  read_array(in, path, w.w2, w.k * w.units, "w2");
  read_array(in, path, w.b2, w.k, "b2");
  return w;
}

lstm_weights load_lstm_weights(const std::string& path) {
  lstm_weights w;
  auto in = open_weights(path, lstm_magic, w);
  auto u = w.units;
  read_array(in, path, w.w_ih, 4 * u, "w_ih");
  read_array(in, path, w.w_hh, 4 * u * u, "w_hh");
  read_array(in, path, w.b_ih, 4 * u, "b_ih");
  read_array(in, path, w.b_hh, 4 * u, "b_hh");
  read_array(in, path, w.w_out, w.k * u, "w_out");
  read_array(in, path, w.b_out, w.k, "b_out");
  return w;
}

std::unique_ptr<forecaster> make_forecaster(const std::string& model, size_t h, size_t k) {
  if (model.empty() || model == "naive")
    return std::make_unique<naive_forecaster>(k);
  if (first_word(model) == lstm_magic) {
    auto w = load_lstm_weights(model);
    check_window(w, model, h, k);
    return std::make_unique<lstm_forecaster>(std::move(w));
  }
  auto w = load_dense_weights(model);
  check_window(w, model, h, k);
  return std::make_unique<dense_forecaster>(std::move(w));
}

}  // namespace troupe::videojam

namespace troupe::videojam {

std::vector<double> load_load_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot read the load trace");
  std::vector<double> out;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || (number == 1 && line.rfind("slot", 0) == 0))
      continue;
    auto comma = line.find(',');
    auto where = path + ":" + std::to_string(number) + ": ";
    double items = 0;
    try {
      size_t used = 0;
      auto value = line.substr(comma == std::string::npos ? 0 : comma + 1);
      items = std::stod(value, &used);
      if (value.find_first_not_of(" \t\r", used) != std::string::npos)
        throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw std::runtime_error(where + "expected slot,items");
    }
    if (!std::isfinite(items) || items < 0)
      throw std::runtime_error(where + "items must be a finite count of at least 0, not " + line.substr(comma + 1));
    out.push_back(items);
  }
  return out;
}

}  // namespace troupe::videojam
