#include "actors/runtime/observe/dashboard.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>

#include "actors/runtime/bus/bus_connection.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/detail/http_service.hpp"
#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/observe/deployment_view.hpp"

namespace troupe {

namespace {

bus_options monitor_bus(const topology& topo, const dashboard_options& o) {
  if (o.credentials.empty())
    return bus_for(topo.nats, o.nats_url, nullptr);
  auto who = read_credential(o.credentials);
  return bus_for(topo.nats, o.nats_url, &who);
}

}  // namespace

int run_dashboard(const topology& topo, const dashboard_options& o) {
  install_stop_signals();
  std::mutex mtx;
  deployment_view view(topo);
  std::atomic<uint64_t> garbage{0};
  real_clock now;
  auto bo = monitor_bus(topo, o);
  bo.client_name = "troupe-dashboard";
  bus_connection bus(bo);
  auto hear = [&](const char* data, size_t size) {
    auto decoded = decode_envelope(data, size);
    auto* l = std::get_if<letter>(&decoded);
    if (l == nullptr) {
      ++garbage;
      return;
    }
    std::lock_guard<std::mutex> lock(mtx);
    view.heard(*l, size, now.now_ns());
  };
  bus.subscribe(deployment_wildcard(topo.deployment), [&](const char*, const char* data, int size) {
    if (!for_each_envelope(data, size_t(size), hear))
      ++garbage;
  });

  auto state = [&](const detail::http_query&) {
    nlohmann::json j;
    {
      std::lock_guard<std::mutex> lock(mtx);
      j = view.snapshot(now.now_ns());
    }
    j["deployment"] = topo.deployment;
    j["garbage"] = garbage.load();
    return detail::http_reply{j.dump(), "application/json"};
  };
  auto region = [&](const detail::http_query& q) {
    auto camera = q.find("camera"), number = q.find("region");
    std::string jpeg;
    if (camera != q.end() && number != q.end()) {
      std::lock_guard<std::mutex> lock(mtx);
      jpeg = view.region_jpeg(camera->second, uint32_t(std::strtoul(number->second.c_str(), nullptr, 10)));
    }
    if (jpeg.empty())
      return detail::http_reply{"no such region overheard\n", "text/plain", 404};
    return detail::http_reply{std::move(jpeg), "image/jpeg"};
  };
  std::optional<detail::http_service> service;
  try {
    service.emplace("dashboard", o.address, o.port,
                    std::map<std::string, detail::http_handler>{
                        {"/", [](const detail::http_query&) {
                           return detail::http_reply{dashboard_page(), "text/html; charset=utf-8"};
                         }},
                        {"/api/state", state},
                        {"/api/region.jpg", region}},
                    4);
  } catch (const std::exception& e) {
    log::problem(e.what());
    return 1;
  }
  log::result("dashboard of " + topo.deployment + ": http://" + o.address + ":" + std::to_string(service->port()) + "/");
  auto start = std::chrono::steady_clock::now();
  while (!stop_requested() &&
         (o.duration_s <= 0 || std::chrono::steady_clock::now() - start < std::chrono::duration<double>(o.duration_s)))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  return 0;
}

}  // namespace troupe
