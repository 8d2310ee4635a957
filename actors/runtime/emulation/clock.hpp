// The node's clock service. Actors take "now", timers and delays from here, never
// from the system clock, so an emulated clock can replace the real one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/timespan.hpp>

namespace troupe {

class clock {
 public:
  virtual ~clock() = default;
  // Current time in unix nanoseconds, as the deployment sees it.
  virtual int64_t now_ns() const = 0;
  // How long a delay of `d` in deployment time lasts in wall-clock time.
  virtual caf::timespan to_wall(caf::timespan d) const = 0;
};

// Wall-clock time, real delays: a deployment.
class real_clock final : public clock {
 public:
  int64_t now_ns() const override;
  caf::timespan to_wall(caf::timespan d) const override { return d; }
};

// The brief's second clock: deployment time runs `scale` times slower than wall time
// (scale 4: one emulated second lasts four wall seconds), so a slow machine can pace
// work to device profiles faster than itself. Deployment time equals wall time at
// `epoch_unix_ns` (the deployment's start, shared by all its nodes and processes).
class emulated_clock final : public clock {
 public:
  emulated_clock(double scale, int64_t epoch_unix_ns);
  int64_t now_ns() const override;
  caf::timespan to_wall(caf::timespan d) const override;
  double scale() const { return scale_; }

 private:
  double scale_;
  int64_t epoch_unix_ns_;
};

// The real clock for scale 1, else an emulated one.
std::shared_ptr<clock> make_clock(double scale, int64_t epoch_unix_ns);

std::shared_ptr<clock> make_real_clock();

}  // namespace troupe
