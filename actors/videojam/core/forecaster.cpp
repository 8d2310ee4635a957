#include "actors/videojam/core/forecaster.hpp"

#include <algorithm>
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

void save_dense_weights(const dense_weights& w, const std::string& path) {
  std::ofstream out(path);
  out << "troupe-forecaster 1\n" << w.h << " " << w.k << " " << w.units << " " << w.scale << "\n";
  out.precision(9);
  for (auto* v : {&w.w1, &w.b1, &w.w2, &w.b2}) {
    for (float x : *v)
      out << x << " ";
    out << "\n";
  }
  if (!out)
    throw std::runtime_error(path + ": cannot write the forecaster");
}

dense_weights load_dense_weights(const std::string& path) {
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(path + ": cannot read the forecaster");
  std::string magic;
  int version = 0;
  dense_weights w;
  if (!(in >> magic >> version) || magic != "troupe-forecaster" || version != 1)
    throw std::runtime_error(path + ": not a troupe-forecaster 1 file (train one with troupe train-forecaster)");
  if (!(in >> w.h >> w.k >> w.units >> w.scale) || w.h == 0 || w.k == 0 || w.units == 0)
    throw std::runtime_error(path + ": bad h, k, units or scale");
  auto read = [&](std::vector<float>& v, size_t n, const char* what) {
    v.resize(n);
    for (auto& x : v)
      if (!(in >> x))
        throw std::runtime_error(path + ": " + what + " ends early");
  };
  read(w.w1, w.units * w.h, "w1");
  read(w.b1, w.units, "b1");
  read(w.w2, w.k * w.units, "w2");
  read(w.b2, w.k, "b2");
  return w;
}

std::unique_ptr<forecaster> make_forecaster(const std::string& model, size_t h, size_t k) {
  if (model.empty() || model == "naive")
    return std::make_unique<naive_forecaster>(k);
  auto w = load_dense_weights(model);
  if (w.h != h || w.k != k)
    throw std::runtime_error(model + ": trained for h=" + std::to_string(w.h) + " k=" + std::to_string(w.k) +
                             ", the balancer uses h=" + std::to_string(h) + " k=" + std::to_string(k));
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
    try {
      size_t used = 0;
      auto value = line.substr(comma == std::string::npos ? 0 : comma + 1);
      out.push_back(std::stod(value, &used));
    } catch (const std::exception&) {
      throw std::runtime_error(path + ":" + std::to_string(number) + ": expected slot,items");
    }
  }
  return out;
}

}  // namespace troupe::videojam
