// A learning rate that falls from `from` to `to` along half a cosine over `steps`.
#pragma once

#include <cmath>

namespace troupe::learning::detail {

inline double cosine_rate(double from, double to, int step, int steps) {
  return to + (from - to) * 0.5 * (1 + std::cos(M_PI * step / steps));
}

}  // namespace troupe::learning::detail
