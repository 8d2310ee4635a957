#include "actors/runtime/detail/http_service.hpp"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <httplib.h>

namespace troupe::detail {

struct http_service::impl {
  httplib::Server server;
  int port = 0;
  std::atomic<bool> ended{false};
  std::thread thread;
};

http_service::http_service(const std::string& what, const std::string& address, int port,
                           std::map<std::string, http_handler> routes, int threads)
    : impl_(std::make_unique<impl>()) {
  auto& s = impl_->server;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(size_t(threads)); };
  // One request per connection: a kept-alive connection holds a worker while it idles,
  // so a browser's (or a scraper's) would starve every other client of a small pool.
  s.set_keep_alive_max_count(1);
  s.set_socket_options([](socket_t sock) {  // SO_REUSEADDR only: not httplib's SO_REUSEPORT
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  for (auto& [path, handler] : routes)
    s.Get(path, [handler = handler](const httplib::Request& req, httplib::Response& res) {  // C++17: no binding captures
      http_query query;
      for (auto& [k, v] : req.params)
        query[k] = v;
      auto reply = handler(query);
      res.status = reply.status;
      res.set_content(std::move(reply.body), reply.content_type);
    });
  impl_->port = port == 0 ? s.bind_to_any_port(address) : (s.bind_to_port(address, port) ? port : -1);
  if (impl_->port <= 0)
    throw std::runtime_error(what + ": cannot listen on " + address + ":" + std::to_string(port) +
                             " (taken, or not an address of this host)");
  impl_->thread = std::thread([this] {
    impl_->server.listen_after_bind();
    impl_->ended = true;
  });
}

http_service::~http_service() {
  // A stop before the server runs is lost (httplib): wait for it to run, or to have given up.
  while (!impl_->server.is_running() && !impl_->ended)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  impl_->server.stop();
  if (impl_->thread.joinable())
    impl_->thread.join();
}

int http_service::port() const {
  return impl_->port;
}

}  // namespace troupe::detail
