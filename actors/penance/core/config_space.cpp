#include "actors/penance/core/config_space.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace troupe::penance {

namespace {

template <class T>
bool repeats(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return std::adjacent_find(v.begin(), v.end()) != v.end();
}

}  // namespace

config_space::config_space(space_settings s) : s_(std::move(s)) {
  if (s_.scales.empty() || s_.qps.empty() || s_.models < 1)
    throw std::invalid_argument("a configuration space needs a scale, a QP and a model");
  for (double r : s_.scales)
    if (!(r > 0 && r <= 1))
      throw std::invalid_argument("scale " + std::to_string(r) + " is outside (0, 1]");
  for (int q : s_.qps)
    if (q < 0 || q > 51)
      throw std::invalid_argument("QP " + std::to_string(q) + " is outside H.264's 0-51");
  if (repeats(s_.scales) || repeats(s_.qps))
    throw std::invalid_argument("a scale or QP is listed twice");
}

setting config_space::setting_at(size_t index) const {
  if (index >= settings())
    throw std::out_of_range("setting " + std::to_string(index) + " of " + std::to_string(settings()));
  return {s_.scales[index / s_.qps.size()], s_.qps[index % s_.qps.size()]};
}

configuration config_space::config_at(size_t index) const {
  if (index >= configs())
    throw std::out_of_range("configuration " + std::to_string(index) + " of " + std::to_string(configs()));
  auto m = static_cast<size_t>(s_.models);
  return {index / m, static_cast<int>(index % m)};
}

size_t config_space::index(configuration c) const {
  if (c.setting >= settings() || c.model < 0 || c.model >= s_.models)
    throw std::out_of_range("configuration (setting " + std::to_string(c.setting) + ", model " +
                            std::to_string(c.model) + ") is outside the space");
  return c.setting * static_cast<size_t>(s_.models) + static_cast<size_t>(c.model);
}

std::pair<int, int> scaled_size(int width, int height, double scale) {
  int w = static_cast<int>(std::lround(width * scale)), h = static_cast<int>(std::lround(height * scale));
  if (w < 2 || h < 2 || w % 2 || h % 2)
    throw std::invalid_argument(std::to_string(width) + "x" + std::to_string(height) + " at scale " +
                                std::to_string(scale) + " is " + std::to_string(w) + "x" + std::to_string(h) +
                                ": H.264 4:2:0 needs even sides");
  return {w, h};
}

int frames_per_segment(double fps, double segment_s) {
  double n = fps * segment_s;
  if (!(n >= 1) || std::abs(n - std::round(n)) > 1e-9)
    throw std::invalid_argument("fps " + std::to_string(fps) + " x segment " + std::to_string(segment_s) +
                                " s is not a whole number of frames");
  return static_cast<int>(std::lround(n));
}

std::vector<float> one_hot(size_t index, size_t n) {
  std::vector<float> v(n, 0.0f);
  if (index < n)
    v[index] = 1.0f;
  return v;
}

}  // namespace troupe::penance
