#include "actors/penance/core/reward.hpp"

namespace troupe::penance {

namespace {

double sgn(double x) { return (x > 0) - (x < 0); }

}  // namespace

reward self_competition::step(step_terms t) {
  bool first = !started_;
  if (first) {
    ema_ = t;
    started_ = true;
  }
  bool delta = ema_.u <= 0 && ema_.o <= 0 && t.o <= 0 && t.u <= 0;
  bool literal = s_.xi == xi_mode::literal && !first;  // eq. 8 against its own terms would always punish
  bool xi = literal ? (t.u >= ema_.u || t.o >= ema_.o) : (t.u > 0 || t.o > 0);
  double r = sgn(ema_.c - t.c) * (delta ? 1 : 0) - (xi ? 1 : 0);
  auto blend = [a = s_.alpha](double ema, double x) { return (1 - a) * ema + a * x; };
  ema_ = {blend(ema_.u, t.u), blend(ema_.o, t.o), blend(ema_.c, t.c)};
  return {r, delta, xi};
}

}  // namespace troupe::penance
