#include "actors/remo/core/scheduler.hpp"

#include <cmath>

#include "vision/metrics.hpp"

namespace troupe::remo {

double acceptance(double g_new, double g_old, double tau) {
  return 1.0 / (1.0 + std::exp((g_new - g_old) / tau));
}

// Eqs. (3)-(6) and (14) from per-camera totals gathered in one pass over the
// schedule, instead of one pass per camera and equation.
double fast_objective(const slot_model& m, const schedule& x, double q) {
  size_t n = m.cameras_count();
  std::vector<double> detect(n + 1), load(n + 1), transfer(n + 1);
  for (size_t i = 1; i <= n; ++i) {
    auto& cam = m.cameras[i];
    transfer[i] += m.alpha * cam.frame_area / m.bandwidth[i][server];
    for (int f = 0; f < m.frames; ++f)
      for (size_t r = 0; r < cam.region_area.size(); ++r) {
        int j = x[i][f][r];
        if (j <= server)
          continue;
        double area = cam.region_area[r];
        detect[j] += inference_s(m.cameras[j], area);
        load[j] += area;
        if (j != int(i)) {
          transfer[i] += m.alpha * area / m.bandwidth[i][j];
          transfer[j] += m.alpha * area / m.bandwidth[i][j];
        }
      }
  }
  double delay = 0;
  for (size_t i = 1; i <= n; ++i)
    delay = std::max(delay, detect[i] + transfer[i]);
  load.erase(load.begin());  // the server's slot
  return q * delay - m.v * (system_accuracy(m, x) - m.omega * vision::load_balance_index(load));
}

decision markov_schedule(const slot_model& m, schedule start, const std::vector<movable_region>& movable,
                         double q, const markov_settings& s, std::mt19937_64& rng) {
  decision current{std::move(start), 0, 0};
  current.g = fast_objective(m, current.x, q);
  decision best = current;
  int n = int(m.cameras_count());
  if (movable.empty() || n < 2)
    return best;
  std::uniform_int_distribution<size_t> pick(0, movable.size() - 1);
  std::uniform_int_distribution<int> other(1, n - 1);
  std::uniform_real_distribution<double> coin(0, 1);
  int quiet = 0;
  while (current.iterations < s.max_iterations && quiet < s.stagnation_moves) {
    ++current.iterations;
    auto& cell = movable[pick(rng)];
    int& slot = current.x[cell.camera][cell.frame][cell.region];
    int before = slot;
    int to = other(rng);  // a camera other than the present one
    slot = to >= before ? to + 1 : to;
    double g = fast_objective(m, current.x, q);
    quiet = std::abs(g - current.g) < s.stagnation_delta ? quiet + 1 : 0;
    if (coin(rng) < acceptance(g, current.g, s.tau)) {
      current.worse_accepted += g > current.g ? 1 : 0;
      current.g = g;
      if (g < best.g)
        best = {current.x, g, 0};
    } else {
      slot = before;
    }
  }
  best.iterations = current.iterations;
  best.worse_accepted = current.worse_accepted;
  return best;
}

decision exact_schedule(const slot_model& m, schedule start, const std::vector<movable_region>& movable, double q) {
  decision best{start, fast_objective(m, start, q), 0};
  int n = int(m.cameras_count()), evaluated = 0;
  std::vector<int> choice(movable.size(), 1);
  for (;;) {
    for (size_t k = 0; k < movable.size(); ++k)
      start[movable[k].camera][movable[k].frame][movable[k].region] = choice[k];
    double g = fast_objective(m, start, q);
    ++evaluated;
    if (g < best.g) {
      best.x = start;
      best.g = g;
    }
    size_t k = 0;  // next assignment, like counting in base N
    while (k < movable.size() && ++choice[k] > n)
      choice[k++] = 1;
    if (k == movable.size())
      break;
  }
  best.iterations = evaluated;
  return best;
}

}  // namespace troupe::remo
