// A crowd too large to render, walking through a site's cameras: OctoCross's campus
// and city (octocross.txt §5.1) stand in for MTMMC and AI City 2022, which are not
// available. Objects enter at entry cameras (Poisson, with periodic bursts: class
// breaks, traffic platoons), stay in a camera's view U(dwell) s, then leave the site or
// walk along an edge to a neighbour, in its view after U(lag) s. Seeded and drawn in
// one order: every camera that simulates the same crowd sees the same objects, so a
// camera needs only its own counts and no camera talks to another.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace troupe {

struct crowd_config {
  uint64_t seed = 1;
  std::vector<std::string> cameras;
  std::vector<double> entry_rate;                 // objects/s entering at each camera (0: no entrance)
  std::vector<std::pair<size_t, size_t>> edges;   // walkable, both ways
  double dwell_min_s = 5, dwell_max_s = 20;       // in one camera's view
  double lag_min_s = 10, lag_max_s = 40;          // between two cameras
  double exit_probability = 0.3;                  // after each view, the object leaves the site
  double burst_every_s = 0, burst_length_s = 0;   // every period, entries run burst_factor times faster for a while
  double burst_factor = 1;
  size_t max_views = 50;                          // an object leaves after this many views
  double start_s = 0;                             // a camera's first frame shows the crowd this far in (warmed up)

  // Entries per second at `camera` at `t_s`, bursts included.
  double entry_rate_at(size_t camera, double t_s) const;
  std::vector<std::vector<size_t>> neighbours() const;
};

// What one camera sees of the crowd.
class crowd_view {
 public:
  crowd_view(std::shared_ptr<const crowd_config> crowd, size_t camera);

  // Objects in the camera's view at `t_s`; `t_s` never decreases from call to call.
  uint32_t in_view(double t_s);

 private:
  double uniform();
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Draws every object entering up to `t_s`, each with its whole walk.
  void enter_until(double t_s);
  void walk(size_t camera, double t_s);

  std::shared_ptr<const crowd_config> crowd_;
  std::vector<std::vector<size_t>> neighbours_;
  size_t camera_;
  std::mt19937_64 rng_;
  double total_rate_ = 0;     // all entrances' base rates
  double peak_rate_ = 0;      // all entrances in a burst: candidates are drawn at this rate and thinned
  double next_entry_s_ = 0;   // the next candidate
  std::vector<std::pair<double, double>> views_;  // this camera's, [from, to) s, not yet over
};

}  // namespace troupe
