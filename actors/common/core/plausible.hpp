// What a number, a time or a name that arrived on the bus may be. Each kind's checks of
// its messages are built from these (docs/security.md, "What the kinds check").
#pragma once

#include <cstdint>
#include <string>

namespace troupe {

// Times a run's messages may carry: not from before the receiver started (less an
// hour: a camera may have started earlier), nor ahead of its clock by more than hosts'
// clocks differ.
struct time_window {
  int64_t oldest_ns;
  int64_t latest_ns;
  bool holds(int64_t ns) const { return ns >= oldest_ns && ns <= latest_ns; }
};
time_window window_since(int64_t started_ns, int64_t now_ns);

// Finite and within [lo, hi].
bool finite_in(double v, double lo, double hi);

// An actor, camera or model name: 1–128 printable characters, no path separators or
// `..` (names end up in file names and subjects).
bool plausible_name(const std::string& s);

}  // namespace troupe
