#include "actors/remo/core/trigger_fit.hpp"

#include <cmath>
#include <stdexcept>
#include <tuple>

namespace troupe::remo {

namespace {

struct span {
  size_t from = 0, to = 0;  // samples [from, to), or those outside it when `outside`
  bool outside = false;
  bool has(size_t i) const { return (i >= from && i < to) != outside; }
};

double mse(const std::vector<trigger_sample>& s, span which, double w1, double w2) {
  double sum = 0;
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!which.has(i))
      continue;
    double e = w1 * s[i].flow_std + w2 * s[i].edge_ratio - s[i].f1_drop;
    sum += e * e;
    ++n;
  }
  return n > 0 ? sum / double(n) : 0;
}

std::pair<double, double> grid_best(const std::vector<trigger_sample>& s, span which, double step, double max_weight) {
  std::pair<double, double> best{0, 0};
  double least = INFINITY;
  int steps = int(std::floor(max_weight / step + 1e-9));  // never past max_weight
  for (int a = 0; a <= steps; ++a)
    for (int b = 0; b <= steps; ++b) {
      double e = mse(s, which, a * step, b * step);
      if (e < least) {
        least = e;
        best = {a * step, b * step};
      }
    }
  return best;
}

}  // namespace

trigger_fit fit_trigger_weights(const std::vector<trigger_sample>& samples, double step, int folds,
                                double max_weight) {
  if (folds < 2 || samples.size() < size_t(folds))
    throw std::runtime_error("cross-validation needs at least 2 folds and a sample per fold");
  if (step <= 0)
    throw std::runtime_error("the grid step must be positive");
  trigger_fit fit;
  span all{0, 0, true};
  std::tie(fit.w1, fit.w2) = grid_best(samples, all, step, max_weight);
  fit.mse = mse(samples, all, fit.w1, fit.w2);
  for (int k = 0; k < folds; ++k) {
    span fold{samples.size() * size_t(k) / size_t(folds), samples.size() * size_t(k + 1) / size_t(folds), false};
    auto chosen = grid_best(samples, {fold.from, fold.to, true}, step, max_weight);
    fit.fold_weights.push_back(chosen);
    fit.fold_mse.push_back(mse(samples, fold, chosen.first, chosen.second));
    fit.cv_mse += fit.fold_mse.back() / folds;
  }
  return fit;
}

}  // namespace troupe::remo
