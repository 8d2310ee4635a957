#include "actors/remo/core/system_model.hpp"

#include <algorithm>
#include <cmath>

#include "vision/metrics.hpp"

namespace troupe::remo {

double inference_s(const camera_model& c, double area) {
  return c.fixed_s + c.s_per_megapixel * area;
}

// Eq. (1), averaged over the regions: a detected region has its detector's accuracy,
// a tracked one keeps φ of what it had the frame before.
double camera_accuracy(const slot_model& m, const schedule& x, int i) {
  auto& cam = m.cameras[i];
  size_t regions = cam.region_area.size();
  std::vector<double> prior(regions, m.server_accuracy);  // before the slot: the server's first frame
  double sum = 0;
  for (int f = 0; f < m.frames; ++f) {
    double frame = 0;
    for (size_t r = 0; r < regions; ++r) {
      int j = x[i][f][r];
      prior[r] = j == tracked ? prior[r] * cam.drift : j == server ? m.server_accuracy : m.cameras[j].accuracy;
      frame += prior[r];
    }
    sum += frame / regions;
  }
  return sum / m.frames;
}

double system_accuracy(const slot_model& m, const schedule& x) {
  double sum = 0;
  for (size_t i = 1; i <= m.cameras_count(); ++i)
    sum += camera_accuracy(m, x, int(i));
  return sum / m.cameras_count();  // eq. (2)
}

// Eq. (3): camera i's model runs on every region, of any camera, scheduled to it.
double detection_delay(const slot_model& m, const schedule& x, int i) {
  double total = 0;
  for (size_t j = 1; j <= m.cameras_count(); ++j)
    for (int f = 0; f < m.frames; ++f)
      for (size_t r = 0; r < m.cameras[j].region_area.size(); ++r)
        if (x[j][f][r] == i)
          total += inference_s(m.cameras[i], m.cameras[j].region_area[r]);
  return total;
}

// Eq. (4): the slot's first frame to the server, regions sent to other cameras, and
// regions received from them.
double transmission_delay(const slot_model& m, const schedule& x, int i) {
  double total = m.alpha * m.cameras[i].frame_area / m.bandwidth[i][server];
  for (size_t j = 1; j <= m.cameras_count(); ++j) {
    if (int(j) == i)
      continue;
    double sent = 0, received = 0;
    for (int f = 0; f < m.frames; ++f) {
      for (size_t r = 0; r < m.cameras[i].region_area.size(); ++r)
        if (x[i][f][r] == int(j))
          sent += m.alpha * m.cameras[i].region_area[r];
      for (size_t r = 0; r < m.cameras[j].region_area.size(); ++r)
        if (x[j][f][r] == i)
          received += m.alpha * m.cameras[j].region_area[r];
    }
    total += sent / m.bandwidth[i][j] + received / m.bandwidth[j][i];
  }
  return total;
}

double system_delay(const slot_model& m, const schedule& x) {
  double worst = 0;
  for (size_t i = 1; i <= m.cameras_count(); ++i)
    worst = std::max(worst, detection_delay(m, x, int(i)) + transmission_delay(m, x, int(i)));
  return worst;  // eq. (5)
}

double camera_load(const slot_model& m, const schedule& x, int i) {
  double area = 0;
  for (size_t j = 1; j <= m.cameras_count(); ++j)
    for (int f = 0; f < m.frames; ++f)
      for (size_t r = 0; r < m.cameras[j].region_area.size(); ++r)
        if (x[j][f][r] == i)
          area += m.cameras[j].region_area[r];
  return area;
}

double load_balance(const slot_model& m, const schedule& x) {
  std::vector<double> load;
  for (size_t i = 1; i <= m.cameras_count(); ++i)
    load.push_back(camera_load(m, x, int(i)));
  return vision::load_balance_index(load);  // eq. (6): their variance
}

bool every_region_detected(const slot_model& m, const schedule& x) {
  for (size_t i = 1; i <= m.cameras_count(); ++i)
    for (size_t r = 0; r < m.cameras[i].region_area.size(); ++r) {
      bool seen = false;
      for (int f = 0; f < m.frames && !seen; ++f)
        seen = x[i][f][r] != tracked;
      if (!seen)
        return false;
    }
  return true;
}

double next_queue(double q, double delay, double t_max) {
  return std::max(q + (delay - t_max), 0.0);  // eq. (10)
}

double updated_drift(double phi, double agreement, int frames_tracked, double beta) {
  if (frames_tracked <= 0)
    return phi;
  double observed = std::pow(std::clamp(agreement, 0.0, 1.0), 1.0 / frames_tracked);
  return (1 - beta) * phi + beta * observed;
}

double objective(const slot_model& m, const schedule& x, double q) {
  return q * system_delay(m, x) - m.v * (system_accuracy(m, x) - m.omega * load_balance(m, x));  // eq. (14)
}

}  // namespace troupe::remo
