#include "actors/runtime/metrics/endpoint.hpp"

#include "actors/runtime/detail/http_service.hpp"

namespace troupe::metrics {

struct endpoint::impl {
  std::string address;
  detail::http_service service;
};

namespace {

std::map<std::string, detail::http_handler> routes(std::function<std::string()> scrape) {
  return {{"/metrics",
           [scrape](const detail::http_query&) {
             return detail::http_reply{scrape(), "text/plain; version=0.0.4; charset=utf-8"};
           }},
          {"/", [](const detail::http_query&) {
             return detail::http_reply{"<a href=\"/metrics\">/metrics</a>\n", "text/html"};
           }}};
}

}  // namespace

// One worker: scrapes come one at a time.
endpoint::endpoint(const std::string& address, int port, std::function<std::string()> scrape)
    : impl_(new impl{address, detail::http_service("metrics", address, port, routes(std::move(scrape)), 1)}) {}

endpoint::~endpoint() = default;

int endpoint::port() const {
  return impl_->service.port();
}

std::string endpoint::url() const {
  return "http://" + impl_->address + ":" + std::to_string(port()) + "/metrics";
}

}  // namespace troupe::metrics
