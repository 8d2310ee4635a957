#include "actors/penance/core/bitrate_baseline.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "vision/percentile.hpp"

namespace troupe::penance {

ar1 fit_ar1(const std::vector<std::vector<double>>& series) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (auto& s : series)
    for (size_t t = 1; t < s.size(); ++t) {
      n += 1;
      sx += s[t - 1];
      sy += s[t];
      sxx += s[t - 1] * s[t - 1];
      sxy += s[t - 1] * s[t];
    }
  if (n == 0)
    throw std::invalid_argument("an AR(1) needs two consecutive values");
  double var = sxx - sx * sx / n;
  if (var <= 1e-12 * std::max(1.0, sxx))
    return {sy / n, 0};
  double phi = (sxy - sx * sy / n) / var;
  return {(sy - phi * sx) / n, phi};
}

bitrate_baseline::bitrate_baseline(const size_table& training, size_t base_setting) : base_(base_setting) {
  std::vector<std::vector<double>> base_series;
  std::vector<std::vector<double>> ratio_samples;
  for (auto& video : training) {
    auto& s = base_series.emplace_back();
    for (auto& segment : video) {
      if (segment.size() <= base_ || !(segment[base_] > 0))
        throw std::invalid_argument("a training segment has no positive size at the base setting");
      s.push_back(segment[base_]);
      ratio_samples.resize(segment.size());
      for (size_t k = 0; k < segment.size(); ++k)
        ratio_samples[k].push_back(segment[k] / segment[base_]);
    }
  }
  ar1_ = fit_ar1(base_series);
  for (auto& r : ratio_samples)
    ratios_.push_back(vision::median(r));
}

std::vector<double> bitrate_baseline::predict(double last_base_bytes) const {
  double base = std::max(0.0, ar1_.predict(last_base_bytes));
  std::vector<double> out;
  for (double r : ratios_)
    out.push_back(base * r);
  return out;
}

std::vector<double> baseline_errors(const bitrate_baseline& b, const size_table& test, size_t base_setting) {
  std::vector<double> errors;
  for (auto& video : test)
    for (size_t i = 1; i < video.size(); ++i) {
      auto predicted = b.predict(video[i - 1][base_setting]);
      for (size_t k = 0; k < predicted.size() && k < video[i].size(); ++k)
        errors.push_back(100 * std::abs(predicted[k] - video[i][k]) / video[i][k]);
    }
  return errors;
}

}  // namespace troupe::penance
