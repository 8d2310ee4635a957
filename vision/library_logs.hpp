// The libraries under vision/ print on their own: FFmpeg (OpenCV's video backend) on
// stderr, OpenCV in its own format. Route FFmpeg's messages, a whole line at a time,
// to the caller's log, and silence OpenCV's (its errors reach us as exceptions).
#pragma once

#include <functional>
#include <string>

namespace troupe::vision {

enum class library_severity { info, warning, error };

void route_library_logs(std::function<void(library_severity, const std::string&)> sink);

}  // namespace troupe::vision
