#include "vision/network_stream.hpp"

#include <algorithm>
#include <stdexcept>
#include <thread>

namespace troupe::vision {

bool is_stream_url(const std::string& path) {
  for (auto scheme : {"rtsp://", "http://", "https://"})
    if (path.rfind(scheme, 0) == 0)
      return true;
  return false;
}

int backoff_ms(int attempt, const stream_settings& s) {
  double wait = s.backoff_initial_ms;
  for (int i = 1; i < attempt && wait < s.backoff_max_ms; ++i)
    wait *= 2;
  return int(std::min<double>(wait, s.backoff_max_ms));
}

network_stream::network_stream(std::string url, stream_settings settings)
    : url_(std::move(url)), settings_(settings) {}

void network_stream::connect() {
  for (int attempt = 0; settings_.max_attempts == 0 || attempt < settings_.max_attempts; ++attempt) {
    if (attempt > 0)
      std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms(attempt, settings_)));
    capture_.open(url_, cv::CAP_FFMPEG,
                  {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, settings_.open_timeout_ms, cv::CAP_PROP_READ_TIMEOUT_MSEC,
                   settings_.read_timeout_ms});
    if (capture_.isOpened())
      return;
  }
  throw std::runtime_error(url_ + (ever_connected_ ? ": stream lost" : ": never answered") + ", gave up after " +
                           std::to_string(settings_.max_attempts) + " attempts");
}

cv::Mat network_stream::next() {
  cv::Mat frame;
  for (;;) {
    if (!capture_.isOpened()) {
      if (ever_connected_)
        ++reconnects_;
      connect();
      ever_connected_ = true;
    }
    if (capture_.read(frame) && !frame.empty())
      return frame;
    capture_.release();  // a live stream has no end: a failed read is a broken connection
  }
}

}  // namespace troupe::vision
