#include "actors/remo/core/instances.hpp"

namespace troupe::remo {

slot_model random_slot_model(int cameras, int regions, int frames, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  slot_model m;
  m.cameras.resize(cameras + 1);
  m.bandwidth.assign(cameras + 1, std::vector<double>(cameras + 1, 10));  // MB/s: 80 Mbit/s between cameras
  for (int i = 1; i <= cameras; ++i) {
    auto& c = m.cameras[i];
    for (int r = 0; r < regions; ++r)
      c.region_area.push_back(0.92 / regions * (0.5 + u(rng)));  // a 720p frame's megapixels, split
    c.frame_area = 0.92;
    c.accuracy = 0.5 + 0.4 * u(rng);
    c.fixed_s = 0.01 + 0.02 * u(rng);
    c.s_per_megapixel = 0.02 + 0.1 * u(rng);
    c.drift = 0.85 + 0.1 * u(rng);
    m.bandwidth[i][server] = 2;  // 16 Mbit/s to the server
  }
  m.server_accuracy = 0.95;
  m.alpha = 0.1;  // MB per megapixel of JPEG
  m.frames = frames;
  m.omega = 0.5;
  m.v = 0.7;
  return m;
}

std::pair<schedule, std::vector<movable_region>> random_slot(const slot_model& m, int one_in, std::mt19937_64& rng) {
  schedule x(m.cameras.size());
  std::vector<movable_region> movable;
  for (size_t i = 1; i < m.cameras.size(); ++i)
    for (int f = 0; f < m.frames; ++f) {
      x[i].emplace_back();
      for (size_t r = 0; r < m.cameras[i].region_area.size(); ++r) {
        bool detect = f > 0 && rng() % one_in == 0;
        x[i][f].push_back(f == 0 ? server : detect ? int(i) : tracked);
        if (detect)
          movable.push_back({int(i), f, int(r)});
      }
    }
  return {x, movable};
}

}  // namespace troupe::remo
