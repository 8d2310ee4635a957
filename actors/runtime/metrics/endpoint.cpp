#include "actors/runtime/metrics/endpoint.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <sys/socket.h>

#include <httplib.h>

namespace troupe::metrics {

struct endpoint::impl {
  httplib::Server server;
  std::string address;
  int port = 0;
  std::atomic<bool> ended{false};
  std::thread thread;
};

endpoint::endpoint(const std::string& address, int port, std::function<std::string()> scrape)
    : impl_(std::make_unique<impl>()) {
  auto& s = impl_->server;
  s.new_task_queue = [] { return new httplib::ThreadPool(1); };  // scrapes come one at a time
  s.set_socket_options([](socket_t sock) {  // httplib's default adds SO_REUSEPORT: a taken port would be shared
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  s.Get("/metrics", [scrape](const httplib::Request&, httplib::Response& res) {
    res.set_content(scrape(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("<a href=\"/metrics\">/metrics</a>\n", "text/html");
  });
  impl_->address = address;
  impl_->port = port == 0 ? s.bind_to_any_port(address) : (s.bind_to_port(address, port) ? port : -1);
  if (impl_->port <= 0)
    throw std::runtime_error("metrics: cannot listen on " + address + ":" + std::to_string(port) +
                             " (taken, or not an address of this host)");
  impl_->thread = std::thread([this] {
    impl_->server.listen_after_bind();
    impl_->ended = true;
  });
}

endpoint::~endpoint() {
  // A stop before the server runs is lost (httplib): wait for it to run, or to have given up.
  while (!impl_->server.is_running() && !impl_->ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

int endpoint::port() const {
  return impl_->port;
}

std::string endpoint::url() const {
  return "http://" + impl_->address + ":" + std::to_string(impl_->port) + "/metrics";
}

}  // namespace troupe::metrics
