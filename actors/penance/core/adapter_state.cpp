#include "actors/penance/core/adapter_state.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "actors/penance/core/config_space.hpp"

namespace troupe::penance {

size_t state_layout::offset(state_part p) const {
  auto s = sizes();
  size_t at = 0;
  for (size_t k = 0; k < static_cast<size_t>(p); ++k)
    at += s[k];
  return at;
}

size_t state_layout::size() const { return offset(state_part::content) + content; }

std::vector<float> flatten(const adapter_state& s, const state_layout& layout) {
  auto check = [](const char* part, size_t got, size_t want) {
    if (got != want)
      throw std::invalid_argument(std::string("state part ") + part + " has " + std::to_string(got) +
                                  " values, the layout " + std::to_string(want));
  };
  check("bitrates", s.bitrates_mb.size(), layout.settings);
  check("performance", s.performance.size(), layout.performance);
  check("content", s.content.size(), layout.content);
  if (s.last_config && *s.last_config >= layout.configs)
    throw std::invalid_argument("last configuration " + std::to_string(*s.last_config) + " of " +
                                std::to_string(layout.configs));
  std::vector<float> v;
  v.reserve(layout.size());
  v.push_back(static_cast<float>(s.accuracy_target));
  v.push_back(static_cast<float>(s.bandwidth_mbps));
  v.insert(v.end(), s.bitrates_mb.begin(), s.bitrates_mb.end());
  v.insert(v.end(), s.performance.begin(), s.performance.end());
  auto a = one_hot(s.last_config.value_or(layout.configs), layout.configs);
  v.insert(v.end(), a.begin(), a.end());
  v.insert(v.end(), s.content.begin(), s.content.end());
  return v;
}

std::vector<float> state_sizes(const std::vector<double>& bytes, double segment_s, double pixel_ratio) {
  std::vector<float> out;
  for (double b : bytes)
    out.push_back(static_cast<float>(state_mbps(std::max(0.0, b), segment_s, pixel_ratio)));
  return out;
}

}  // namespace troupe::penance
