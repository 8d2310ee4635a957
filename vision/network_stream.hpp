// A live camera stream (rtsp://, http://, https://) read through OpenCV's FFmpeg
// backend. It connects on the first read, with open and read timeouts, and when the
// stream breaks it reconnects with exponential backoff; after `max_attempts` failed
// attempts in a row it gives up with an error naming the URL.
#pragma once

#include <optional>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace troupe::vision {

struct stream_settings {
  int open_timeout_ms = 5000;     // a server that does not answer in this time is a failed attempt
  int read_timeout_ms = 5000;     // a stream silent this long is broken
  int backoff_initial_ms = 500;   // wait before the second attempt, doubling after each failure
  int backoff_max_ms = 8000;
  int max_attempts = 10;          // failed attempts in a row before giving up; 0: never give up
};

bool is_stream_url(const std::string& path);
// Wait before attempt `attempt` (1 = the first retry): initial × 2^(attempt-1), capped.
int backoff_ms(int attempt, const stream_settings& s);

class network_stream {
 public:
  network_stream(std::string url, stream_settings settings);
  // The next frame; reconnects as needed. Throws std::runtime_error naming the URL
  // once `max_attempts` attempts in a row have failed.
  cv::Mat next();
  int reconnects() const { return reconnects_; }

 private:
  void connect();
  std::string url_;
  stream_settings settings_;
  cv::VideoCapture capture_;
  int reconnects_ = 0;
  bool ever_connected_ = false;
};

}  // namespace troupe::vision
