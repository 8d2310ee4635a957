// A Prometheus scrape target: GET /metrics answers with what `scrape` writes at that
// moment (text exposition format 0.0.4), on a thread of the endpoint's own
// (detail::http_service).
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace troupe::metrics {

class endpoint {
 public:
  // Listens on `address`:`port` (port 0: one the system picks). Throws std::runtime_error
  // naming the address when it cannot.
  endpoint(const std::string& address, int port, std::function<std::string()> scrape);
  ~endpoint();  // stops serving; a scrape in progress finishes first
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;

  int port() const;
  std::string url() const;  // http://address:port/metrics

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace troupe::metrics
