#include "vision/library_logs.hpp"

#include <cstdarg>
#include <mutex>

#include <opencv2/core/utils/logger.hpp>

extern "C" {
#include <libavutil/log.h>
}

namespace troupe::vision {

namespace {

std::mutex mutex;
std::function<void(library_severity, const std::string&)> route;
std::string pending;  // FFmpeg sends a line in pieces

library_severity severity_of(int level) {
  if (level <= AV_LOG_ERROR)
    return library_severity::error;
  return level <= AV_LOG_WARNING ? library_severity::warning : library_severity::info;
}

void on_ffmpeg_message(void* avcl, int level, const char* fmt, va_list args) {
  if (level > av_log_get_level())
    return;
  char line[1024];
  int print_prefix = pending.empty() ? 1 : 0;
  av_log_format_line2(avcl, level, fmt, args, line, sizeof(line), &print_prefix);
  std::lock_guard<std::mutex> lock(mutex);
  pending += line;
  if (pending.empty() || pending.back() != '\n')
    return;
  pending.pop_back();
  if (route)
    route(severity_of(level), "ffmpeg: " + pending);
  pending.clear();
}

}  // namespace

void route_library_logs(std::function<void(library_severity, const std::string&)> sink) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    route = std::move(sink);
  }
  av_log_set_callback(on_ffmpeg_message);
  cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
}

}  // namespace troupe::vision
