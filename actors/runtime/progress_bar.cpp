#include "actors/runtime/progress_bar.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <spdlog/spdlog.h>

namespace troupe {

std::string clock_text(double seconds) {
  auto s = static_cast<long>(std::lround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof(buf), "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof(buf), "%ld:%02ld", s / 60, s % 60);
  return buf;
}

progress_bar::progress_bar(std::string what, double every_s) : what_(std::move(what)), every_s_(every_s) {}

std::string progress_bar::line(const std::string& what, int done, int total, double elapsed_s,
                               const std::string& detail, int done_before) {
  constexpr int width = 20;
  double share = total > 0 ? std::clamp(double(done) / total, 0.0, 1.0) : 0;
  int filled = int(share * width);
  std::string bar = std::string(filled, '#') + std::string(width - filled, '-');
  int this_run = done - done_before;
  std::string eta = this_run > 0 ? clock_text(elapsed_s / this_run * (total - done)) : "?";
  char buf[128];
  std::snprintf(buf, sizeof(buf), " [%s] %d/%d %3d%%  %s elapsed, ETA %s", bar.c_str(), done, total,
                int(std::lround(share * 100)), clock_text(elapsed_s).c_str(), eta.c_str());
  return what + buf + (detail.empty() ? "" : "  " + detail);
}

void progress_bar::update(int done, int total, const std::string& detail) {
  auto now = steady::now();
  if (done_before_ < 0)
    done_before_ = std::max(0, done - 1);  // a resumed loop's first report covers one item of this run
  if (done < total && std::chrono::duration<double>(now - last_).count() < every_s_)
    return;
  last_ = now;
  spdlog::info("{}", line(what_, done, total, std::chrono::duration<double>(now - started_).count(), detail,
                                done_before_));
}

}  // namespace troupe
