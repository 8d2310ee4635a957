// The query load of ROOMIE's evaluation (thesis §4.5): a rate that follows a curve over
// time — the Twitter 2020 trace's shape (not available offline: a labelled synthetic
// twitter-like curve stands in) or a Gaussian process with an RBF kernel — Poisson
// arrivals at that rate, and each query's model drawn by Zipf popularity.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace troupe::roomie {

// A rate multiplier over time: one value per `step_s`, linear between them, repeating
// after the last.
struct load_curve {
  std::vector<double> multiplier;
  double step_s = 1;
  std::string label;  // what it is, written in its file's header

  double at(double t_s) const;
  double mean() const;
};

// CSV "t_s,multiplier" rows at a constant step, `#` lines a header; throws
// std::runtime_error "file:line: message" on a bad row, a negative multiplier, an
// uneven step or no row.
load_curve read_load_curve(const std::string& file);
load_curve parse_load_curve(const std::string& text, const std::string& file);
std::string load_curve_csv(const load_curve& c);

// A Gaussian process sample, f ~ GP(0, σ² exp(−Δt²/(2ℓ²))) on a 1 s grid, as
// max(0.05, 1 + f): mean about 1.
load_curve gaussian_process_load(double duration_s, double length_s, double sigma, uint64_t seed);

// The synthetic stand-in for the Twitter 2020 trace: per second, a slow swell (one
// period per 10 min), AR(1) noise and bursts of 1.5-3× lasting 2-8 s, mean 1 (⚑ its
// shape only; the real trace is not to be had offline).
load_curve twitter_like_load(double duration_s, uint64_t seed);

// Zipf popularity over n items: P(k) ∝ 1/(k+1)^s.
class zipf {
 public:
  zipf(size_t n, double s);
  size_t draw(std::mt19937_64& rng) const;
  double p(size_t k) const { return p_.at(k); }

 private:
  std::vector<double> p_, cumulative_;
};

// The most queries per second a mix sustains with every replica alone on its GPU: the
// least over models of replicas_m / (T_m · P(m)), T in µs (interference only lowers it;
// the benches' loads are fractions of this).
double standalone_capacity(const std::vector<double>& t_us, const std::vector<int>& replicas, const zipf& popularity);

// A Poisson process whose rate is base_rate · curve(t) (thinning against the curve's
// peak): each call, the next arrival's time in seconds.
class query_arrivals {
 public:
  query_arrivals(double base_rate, load_curve curve, uint64_t seed);
  double next();

 private:
  double base_, peak_, t_ = 0;
  load_curve curve_;
  std::mt19937_64 rng_;
};

}  // namespace troupe::roomie
