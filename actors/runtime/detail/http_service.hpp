// A small HTTP server on threads of its own, answering GET on fixed paths: what the
// metrics endpoint and the dashboard share. cpp-httplib stays inside http_service.cpp
// (its header is heavy), and so does the one thing to get right about it: its default
// listens with SO_REUSEPORT, which would silently share a taken port (here a taken
// port is an error naming the address), and keeps connections alive, each holding a
// worker while it idles (here one request per connection).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace troupe::detail {

struct http_reply {
  std::string body;
  std::string content_type = "text/plain; charset=utf-8";
  int status = 200;
};

// The request's query parameters (?camera=cam-1&region=2).
using http_query = std::map<std::string, std::string>;
using http_handler = std::function<http_reply(const http_query&)>;

class http_service {
 public:
  // Serves `routes` (path -> handler) on `address`:`port` (0: one the system picks) with
  // `threads` workers. Throws std::runtime_error "<what>: cannot listen on ADDRESS:PORT ..."
  http_service(const std::string& what, const std::string& address, int port,
               std::map<std::string, http_handler> routes, int threads = 1);
  ~http_service();  // stops serving; requests in progress finish first
  http_service(const http_service&) = delete;
  http_service& operator=(const http_service&) = delete;

  int port() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace troupe::detail
