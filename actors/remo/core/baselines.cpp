#include "actors/remo/core/baselines.hpp"

#include <algorithm>
#include <numeric>

namespace troupe::remo {

namespace {

double area_of(const slot_model& m, const movable_region& c) {
  return m.cameras[c.camera].region_area[c.region];
}

// Largest first: big regions are what unbalances the cameras.
std::vector<movable_region> by_area(const slot_model& m, std::vector<movable_region> cells) {
  std::stable_sort(cells.begin(), cells.end(),
                   [&](auto& a, auto& b) { return area_of(m, a) > area_of(m, b); });
  return cells;
}

int& cell(schedule& x, const movable_region& c) { return x[c.camera][c.frame][c.region]; }

}  // namespace

schedule bandwidth_prior(const slot_model& m, schedule x, const std::vector<movable_region>& movable) {
  int n = int(m.cameras_count());
  std::vector<double> delay(n + 1);
  for (int i = 1; i <= n; ++i)
    delay[i] = detection_delay(m, x, i);
  double mean = std::accumulate(delay.begin() + 1, delay.end(), 0.0) / n;
  auto left = m.bandwidth;  // MB each link can still carry this slot (slot of one second)
  for (auto& c : by_area(m, movable)) {
    int i = c.camera;
    if (delay[i] <= mean || n < 2)
      continue;
    int to = 0;  // the most bandwidth left; of equal links, the least loaded camera
    for (int j = 1; j <= n; ++j)
      if (j != i && (to == 0 || left[i][j] > left[i][to] || (left[i][j] == left[i][to] && delay[j] < delay[to])))
        to = j;
    double area = area_of(m, c);
    cell(x, c) = to;
    left[i][to] -= m.alpha * area;
    delay[i] -= inference_s(m.cameras[i], area);
    delay[to] += inference_s(m.cameras[to], area);
  }
  return x;
}

schedule model_prior(const slot_model& m, schedule x, const std::vector<movable_region>& movable) {
  int best = 1;
  for (int j = 2; j <= int(m.cameras_count()); ++j)
    if (m.cameras[j].accuracy > m.cameras[best].accuracy)
      best = j;
  for (auto& c : movable)
    cell(x, c) = best;
  return x;
}

schedule latency_proportional(const slot_model& m, schedule x, const std::vector<movable_region>& movable,
                              const std::vector<double>& previous_latency_s) {
  int n = int(m.cameras_count());
  double known = 0;
  int counted = 0;
  for (int j = 1; j <= n; ++j)
    if (previous_latency_s[j] > 0) {
      known += previous_latency_s[j];
      ++counted;
    }
  double fallback = counted > 0 ? known / counted : 1;
  std::vector<double> share(n + 1, 0), given(n + 1, 0);
  for (int j = 1; j <= n; ++j)
    share[j] = 1 / (previous_latency_s[j] > 0 ? previous_latency_s[j] : fallback);
  for (auto& c : by_area(m, movable)) {
    int to = 1;
    for (int j = 2; j <= n; ++j)
      if (given[j] / share[j] < given[to] / share[to])
        to = j;
    cell(x, c) = to;
    given[to] += area_of(m, c);
  }
  return x;
}

}  // namespace troupe::remo
