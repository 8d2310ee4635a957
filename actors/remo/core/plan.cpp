#include "actors/remo/core/plan.hpp"

#include <algorithm>
#include <cstdlib>

namespace troupe::remo {

namespace {

constexpr double megabytes_per_s(double mbps) { return mbps / 8; }

// α: what the cameras observed, averaged; the setting until they have.
double observed_alpha(const std::vector<camera_report>& reports, double fallback) {
  double sum = 0;
  int n = 0;
  for (auto& r : reports)
    if (r.megabytes_per_megapixel > 0) {
      sum += r.megabytes_per_megapixel;
      ++n;
    }
  return n > 0 ? sum / n : fallback;
}

// What a pair offers: the lesser of the shaped ends (0: not shaped), else `unshaped`.
double pair_mbps(double uplink, double downlink, double unshaped) {
  if (uplink > 0 && downlink > 0)
    return std::min(uplink, downlink);
  return uplink > 0 ? uplink : downlink > 0 ? downlink : unshaped;
}

}  // namespace

slot_model make_slot_model(const std::vector<camera_report>& reports, const slot_settings& s) {
  slot_model m;
  size_t n = reports.size();
  m.cameras.resize(n + 1);
  m.bandwidth.assign(n + 1, std::vector<double>(n + 1, 0));
  for (size_t i = 1; i <= n; ++i) {
    auto& r = reports[i - 1];
    m.cameras[i] = {r.region_megapixels, r.frame_megapixels, r.accuracy, r.fixed_s, r.s_per_megapixel, r.drift};
    m.bandwidth[i][server] = megabytes_per_s(pair_mbps(r.uplink_mbps, s.server_downlink_mbps, s.server_mbps));
    m.bandwidth[server][i] = megabytes_per_s(pair_mbps(s.server_uplink_mbps, r.downlink_mbps, s.server_mbps));
    for (size_t j = 1; j <= n; ++j)
      m.bandwidth[i][j] = megabytes_per_s(pair_mbps(r.uplink_mbps, reports[j - 1].downlink_mbps, s.peer_mbps));
    m.frames = std::max(m.frames, r.frames);
  }
  m.server_accuracy = s.server_accuracy;
  m.alpha = observed_alpha(reports, s.alpha);
  m.omega = s.omega;
  m.v = s.v;
  m.t_max = s.t_max;
  return m;
}

std::pair<schedule, std::vector<movable_region>> initial_schedule(const slot_model& m,
                                                                 const std::vector<camera_report>& reports) {
  schedule x(m.cameras.size());
  std::vector<movable_region> movable;
  for (size_t i = 1; i < m.cameras.size(); ++i) {
    auto regions = m.cameras[i].region_area.size();
    x[i].assign(m.frames, std::vector<int>(regions, tracked));
    x[i][0].assign(regions, server);
    for (auto& d : reports[i - 1].demands) {
      if (d.frame <= 0 || d.frame >= m.frames || d.region < 0 || size_t(d.region) >= regions)
        continue;  // frame 0 is the server's; a region the camera no longer has is ignored
      x[i][d.frame][d.region] = int(i);
      movable.push_back({int(i), d.frame, d.region});
    }
  }
  return {std::move(x), std::move(movable)};
}

camera_plan plan_of(const schedule& x, int camera) {
  camera_plan plan;
  for (size_t f = 1; f < x[camera].size(); ++f)
    for (size_t r = 0; r < x[camera][f].size(); ++r)
      if (x[camera][f][r] > server)
        plan[{int(f), int(r)}] = x[camera][f][r];
  return plan;
}

int planned_target(const camera_plan& plan, int frame, int region, int own) {
  int best = own, distance = -1;
  for (auto& [cell, target] : plan) {
    if (cell.second != region)
      continue;
    int d = std::abs(cell.first - frame);
    if (distance < 0 || d < distance) {
      distance = d;
      best = target;
    }
  }
  return best;
}

schedule as_planned_ahead(schedule start, const std::vector<movable_region>& movable,
                          const std::vector<named_plan>& plans, const std::vector<std::string>& detectors) {
  if (detectors.empty())
    return start;
  for (auto& c : movable) {
    camera_plan plan;
    if (size_t(c.camera) < plans.size())
      for (auto& [cell, detector] : plans[size_t(c.camera)]) {
        auto at = std::find(detectors.begin() + 1, detectors.end(), detector);
        if (at != detectors.end())
          plan[cell] = int(at - detectors.begin());
      }
    start[c.camera][c.frame][c.region] = planned_target(plan, c.frame, c.region, c.camera);
  }
  return start;
}

}  // namespace troupe::remo
