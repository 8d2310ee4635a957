// Progress of long work (training, benches) as log lines: a bar, the share done,
// elapsed time and an estimate of what is left, at most one line every few seconds.
#pragma once

#include <chrono>
#include <string>

namespace troupe {

class progress_bar {
 public:
  explicit progress_bar(std::string what, double every_s = 5);
  // Logs a line when `every_s` passed since the last one, and always for the last item.
  void update(int done, int total, const std::string& detail = {});

  // "what [#####-----] 120/400  30%  0:36 elapsed, ETA 1:24  detail"; the ETA from the
  // pace of this run, which began with `done_before` items done (a resumed training).
  static std::string line(const std::string& what, int done, int total, double elapsed_s,
                          const std::string& detail, int done_before = 0);

 private:
  using steady = std::chrono::steady_clock;
  std::string what_;
  double every_s_;
  steady::time_point started_ = steady::now(), last_ = started_;
  int done_before_ = -1;  // learnt from the first update
};

// m:ss, or h:mm:ss from an hour.
std::string clock_text(double seconds);

}  // namespace troupe
