#include "actors/runtime/observe/dashboard.hpp"

#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/bus/bus_connection.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/deployment.hpp"
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
  bus.subscribe(deployment_wildcard(topo.deployment), [&](const char*, const char* data, int size) {
    auto decoded = decode_envelope(data, size_t(size));
    auto* l = std::get_if<letter>(&decoded);
    if (l == nullptr) {
      ++garbage;
      return;
    }
    std::lock_guard<std::mutex> lock(mtx);
    view.heard(*l, size_t(size), now.now_ns());
  });

  httplib::Server server;
  server.set_socket_options([](socket_t sock) {  // no SO_REUSEPORT: a taken port is an error, not shared
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(dashboard_page(), "text/html; charset=utf-8");
  });
  server.Get("/api/state", [&](const httplib::Request&, httplib::Response& res) {
    nlohmann::json state;
    {
      std::lock_guard<std::mutex> lock(mtx);
      state = view.snapshot(now.now_ns());
    }
    state["deployment"] = topo.deployment;
    state["garbage"] = garbage.load();
    res.set_content(state.dump(), "application/json");
  });
  int port = o.port == 0 ? server.bind_to_any_port(o.address) : (server.bind_to_port(o.address, o.port) ? o.port : -1);
  if (port <= 0) {
    log::problem("dashboard: cannot listen on " + o.address + ":" + std::to_string(o.port));
    return 1;
  }
  std::atomic<bool> ended{false};
  std::thread serving([&] {
    server.listen_after_bind();
    ended = true;
  });
  log::result("dashboard of " + topo.deployment + ": http://" + o.address + ":" + std::to_string(port) + "/");
  auto start = std::chrono::steady_clock::now();
  while (!stop_requested() &&
         (o.duration_s <= 0 || std::chrono::steady_clock::now() - start < std::chrono::duration<double>(o.duration_s)))
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  while (!server.is_running() && !ended)  // a stop before it runs would be lost
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  server.stop();
  serving.join();
  return 0;
}

}  // namespace troupe
