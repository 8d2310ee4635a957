// Drives as the replay plays them (penance.txt §3.4.1): each drive's table and truth,
// the cost of every configuration and the live timing, read once from the dataset's
// tables. The adapter's trainer and `troupe bench penance` play the same world.
#pragma once

#include <string>
#include <vector>

#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/replay.hpp"
#include "actors/penance/core/segment_table.hpp"

namespace troupe::penance {

struct world_settings {
  int width = 640, height = 360;  // the drives' frames
  double fps = 15, segment_s = 1;
  double decide_s = 0.223;           // estimator + adapter on a Pi 4B (Table 2)
  double encode_ms_per_mp = 16;      // ⚑ the Pi's hardware encoder, per megapixel-frame
  double server_macs_per_s = 1e12;   // ⚑ the server's segmentation throughput
};

struct world_drive {
  std::string path;
  drive_table table;
  std::vector<segment_truth> truth;
};

class replay_world {
 public:
  // Reads every table; throws std::invalid_argument naming a table that does not fit
  // the space, or tables whose models differ.
  replay_world(const config_space& space, const std::vector<std::string>& tables, const world_settings& s);

  size_t size() const { return drives_.size(); }
  const world_drive& at(size_t i) const { return drives_[i]; }
  const config_space& space() const { return space_; }
  const std::vector<double>& cost() const { return cost_; }
  const replay_timing& timing() const { return timing_; }
  double reference_macs() const { return reference_macs_; }
  int frames() const { return frames_; }
  // B in the paper's MB/s at 1280×720 as bytes/s of our frames.
  double bytes_per_s(double paper_mbps) const;

 private:
  config_space space_;
  world_settings s_;
  std::vector<world_drive> drives_;
  std::vector<double> cost_;
  replay_timing timing_;
  double reference_macs_ = 0;
  int frames_ = 0;
};

}  // namespace troupe::penance
