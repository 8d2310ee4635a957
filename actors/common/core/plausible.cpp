#include "actors/common/core/plausible.hpp"

#include <cmath>

namespace troupe {

namespace {

constexpr int64_t hour_ns = 3'600'000'000'000;
constexpr int64_t skew_ns = 1'000'000'000;  // hosts' clocks agree to within this (NTP)

}  // namespace

time_window window_since(int64_t started_ns, int64_t now_ns) {
  return {started_ns - hour_ns, now_ns + skew_ns};
}

bool finite_in(double v, double lo, double hi) {
  return std::isfinite(v) && v >= lo && v <= hi;
}

bool plausible_name(const std::string& s) {
  if (s.empty() || s.size() > 128 || s.find("..") != std::string::npos)
    return false;
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
      return false;
  return true;
}

}  // namespace troupe
