// Live streams: a real HTTP video stream read through FFmpeg, a server that breaks
// the stream (reconnect), and one that never answers (a clear error).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <thread>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "vision/network_stream.hpp"
#include "vision/video_source.hpp"

using namespace troupe::vision;

namespace {

// Serves a file over HTTP/1.0 once per entry of `bytes_per_connection` (how much of it
// each connection gets), then closes its socket: later connections are refused.
class tiny_http_server {
 public:
  tiny_http_server(std::string body, std::vector<size_t> bytes_per_connection)
      : body_(std::move(body)), plan_(std::move(bytes_per_connection)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    ::listen(fd_, 4);
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~tiny_http_server() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }

 private:
  void serve() {
    for (size_t bytes : plan_) {
      int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0)
        return;
      char request[4096];
      (void) ::recv(client, request, sizeof(request), 0);
      std::string head = "HTTP/1.0 200 OK\r\nContent-Type: video/x-msvideo\r\n\r\n";
      std::string out = head + body_.substr(0, bytes);
      for (size_t sent = 0; sent < out.size();) {
        auto n = ::send(client, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
          break;
        sent += size_t(n);
      }
      ::close(client);
    }
    ::shutdown(fd_, SHUT_RDWR);  // no more answers
  }
  std::string body_;
  std::vector<size_t> plan_;
  int fd_ = -1, port_ = 0;
  std::thread thread_;
};

std::string small_video(int frames) {
  auto path = std::string(::testing::TempDir()) + "/stream.avi";
  video_source vtest({"/usr/share/doc/opencv-doc/examples/data/vtest.avi", {}, 0, false});
  cv::VideoWriter out(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10, {384, 288});
  for (int i = 0; i < frames; ++i) {
    cv::Mat small;
    cv::resize(*vtest.next(), small, {384, 288});
    out.write(small);
  }
  out.release();
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

int free_port() {
  tiny_http_server probe("", {});
  return probe.port();  // closed again when probe goes
}

stream_settings quick() {
  stream_settings s;
  s.open_timeout_ms = 2000;
  s.read_timeout_ms = 2000;
  s.backoff_initial_ms = 20;
  s.backoff_max_ms = 100;
  s.max_attempts = 3;
  return s;
}

}  // namespace

TEST(NetworkStream, BackoffDoublesUpToItsCap) {
  stream_settings s;
  EXPECT_EQ(backoff_ms(1, s), 500);
  EXPECT_EQ(backoff_ms(2, s), 1000);
  EXPECT_EQ(backoff_ms(4, s), 4000);
  EXPECT_EQ(backoff_ms(9, s), 8000);
  EXPECT_TRUE(is_stream_url("rtsp://cam/1"));
  EXPECT_TRUE(is_stream_url("http://h/v.avi"));
  EXPECT_FALSE(is_stream_url("/videos/http.avi"));
}

TEST(NetworkStream, ABrokenStreamIsReconnectedThenGivenUpOnByName) {
  auto body = small_video(40);
  // First connection: the headers and half the file; second: all of it; then nothing.
  tiny_http_server server(body, {body.size() / 2, body.size()});
  auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/stream.avi";
  network_stream stream(url, quick());
  int frames = 0;
  std::string error;
  try {
    for (;; ++frames)
      EXPECT_EQ(stream.next().size(), cv::Size(384, 288));
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  EXPECT_GE(stream.reconnects(), 1);
  EXPECT_GT(frames, 40) << "the second connection should deliver the whole video";
  EXPECT_NE(error.find(url + ": stream lost, gave up after 3 attempts"), std::string::npos) << error;
}

TEST(NetworkStream, AServerThatNeverAnswersIsNamed) {
  auto url = "rtsp://127.0.0.1:" + std::to_string(free_port()) + "/cam";
  network_stream stream(url, quick());
  try {
    stream.next();
    FAIL() << "read a frame from nowhere";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(url + ": never answered"), std::string::npos) << e.what();
  }
}
