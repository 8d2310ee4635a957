#include "actors/roomie/core/query_load.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

namespace troupe::roomie {

double load_curve::at(double t_s) const {
  if (multiplier.empty())
    return 0;
  auto span = double(multiplier.size()) * step_s;
  auto x = std::fmod(std::max(0.0, t_s), span) / step_s;
  auto i = size_t(x);
  auto next = multiplier[(i + 1) % multiplier.size()];
  return multiplier[i] + (x - double(i)) * (next - multiplier[i]);
}

double load_curve::mean() const {
  return multiplier.empty() ? 0 : std::accumulate(multiplier.begin(), multiplier.end(), 0.0) / double(multiplier.size());
}

load_curve parse_load_curve(const std::string& text, const std::string& file) {
  load_curve c;
  std::istringstream in(text);
  std::vector<double> times;
  int line_no = 0;
  auto fail = [&](const std::string& why) { throw std::runtime_error(file + ":" + std::to_string(line_no) + ": " + why); };
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (line.empty())
      continue;
    if (line[0] == '#') {
      if (auto start = line.find_first_not_of("# "); c.label.empty() && start != std::string::npos)
        c.label = line.substr(start);  // (a bare "#" names nothing; found by fuzz/csv_fuzz.cpp)
      continue;
    }
    if (line == "t_s,multiplier")
      continue;
    std::istringstream row(line);
    double t = 0, m = 0;
    char comma = 0;
    if (!(row >> t >> comma >> m) || comma != ',' || !(row >> std::ws).eof() || !std::isfinite(t) || !std::isfinite(m))
      fail("expected t_s,multiplier");
    if (m < 0)
      fail("a negative multiplier");
    if (times.size() == 1)
      c.step_s = t - times[0];
    if (!times.empty() && (c.step_s <= 0 || std::abs(t - times.back() - c.step_s) > 1e-6 * c.step_s))
      fail("rows must be evenly spaced in time");
    times.push_back(t);
    c.multiplier.push_back(m);
  }
  if (c.multiplier.empty())
    throw std::runtime_error(file + ": no row of t_s,multiplier");
  return c;
}

load_curve read_load_curve(const std::string& file) {
  std::ifstream in(file);
  if (!in)
    throw std::runtime_error(file + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return parse_load_curve(text.str(), file);
}

std::string load_curve_csv(const load_curve& c) {
  std::ostringstream out;
  out << "# " << c.label << "\nt_s,multiplier\n";
  out.precision(6);
  for (size_t i = 0; i < c.multiplier.size(); ++i)
    out << double(i) * c.step_s << ',' << c.multiplier[i] << '\n';
  return out.str();
}

load_curve gaussian_process_load(double duration_s, double length_s, double sigma, uint64_t seed) {
  if (!(duration_s >= 1) || !(length_s > 0) || !(sigma >= 0))
    throw std::invalid_argument("gaussian process: duration >= 1 s, length > 0, sigma >= 0");
  auto n = size_t(duration_s);
  // Cholesky factor of K + εI, K_ij = σ² exp(−(i−j)²/(2ℓ²)).
  std::vector<double> l(n * n, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j <= i; ++j) {
      double d = double(i) - double(j);
      double sum = sigma * sigma * std::exp(-d * d / (2 * length_s * length_s)) + (i == j ? 1e-6 : 0);
      for (size_t k = 0; k < j; ++k)
        sum -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i == j ? std::sqrt(std::max(sum, 0.0)) : (l[j * n + j] > 0 ? sum / l[j * n + j] : 0);
    }
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z;
  std::vector<double> draws(n);
  for (auto& x : draws)
    x = z(rng);
  load_curve c;
  c.label = "gaussian process, RBF length " + std::to_string(length_s) + " s, sigma " + std::to_string(sigma) +
            ", seed " + std::to_string(seed);
  for (size_t i = 0; i < n; ++i) {
    double f = 0;
    for (size_t k = 0; k <= i; ++k)
      f += l[i * n + k] * draws[k];
    c.multiplier.push_back(std::max(0.05, 1 + f));
  }
  return c;
}

load_curve twitter_like_load(double duration_s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0, 0.06);
  std::uniform_real_distribution<double> u;
  load_curve c;
  c.label = "synthetic, NOT the Twitter 2020 trace: its shape only (a 10 min swell, AR(1) noise, 2-8 s bursts of "
            "1.5-3x), mean 1; seed " + std::to_string(seed);
  double ar = 0, burst = 1;
  int burst_left = 0;
  for (size_t t = 0; t < size_t(duration_s); ++t) {
    ar = 0.9 * ar + noise(rng);
    if (burst_left == 0 && u(rng) < 0.01) {
      burst = 1.5 + 1.5 * u(rng);
      burst_left = 2 + int(u(rng) * 7);
    }
    double b = burst_left > 0 ? burst : 1;
    burst_left = std::max(0, burst_left - 1);
    c.multiplier.push_back(std::max(0.05, (1 + 0.25 * std::sin(2 * M_PI * double(t) / 600) + ar) * b));
  }
  auto m = c.mean();
  for (auto& x : c.multiplier)
    x /= m;
  return c;
}

zipf::zipf(size_t n, double s) {
  if (n == 0 || !(s >= 0))
    throw std::invalid_argument("zipf: at least one item and s >= 0");
  for (size_t k = 0; k < n; ++k)
    p_.push_back(1 / std::pow(double(k + 1), s));
  auto sum = std::accumulate(p_.begin(), p_.end(), 0.0);
  double running = 0;
  for (auto& p : p_) {
    p /= sum;
    cumulative_.push_back(running += p);
  }
}

size_t zipf::draw(std::mt19937_64& rng) const {
  auto x = std::uniform_real_distribution<double>(0, 1)(rng);
  return size_t(std::lower_bound(cumulative_.begin(), cumulative_.end() - 1, x) - cumulative_.begin());
}

double standalone_capacity(const std::vector<double>& t_us, const std::vector<int>& replicas, const zipf& popularity) {
  double c = std::numeric_limits<double>::infinity();
  for (size_t m = 0; m < t_us.size(); ++m)
    c = std::min(c, replicas.at(m) / (t_us[m] / 1e6 * popularity.p(m)));
  return c;
}

query_arrivals::query_arrivals(double base_rate, load_curve curve, uint64_t seed)
    : base_(base_rate), curve_(std::move(curve)), rng_(seed) {
  if (!(base_rate > 0) || curve_.multiplier.empty())
    throw std::invalid_argument("query arrivals: a rate above 0 and a curve");
  peak_ = *std::max_element(curve_.multiplier.begin(), curve_.multiplier.end());
  if (!(peak_ > 0))
    throw std::invalid_argument("query arrivals: a curve that is 0 throughout");
}

double query_arrivals::next() {
  std::exponential_distribution<double> gap(base_ * peak_);
  std::uniform_real_distribution<double> u;
  do
    t_ += gap(rng_);
  while (u(rng_) * peak_ > curve_.at(t_));  // thinning: kept with probability curve/peak
  return t_;
}

}  // namespace troupe::roomie
