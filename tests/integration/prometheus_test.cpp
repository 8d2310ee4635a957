// A real Prometheus (Debian's) scrapes a running deployment — the README's demo, run as
// a user runs it with --metrics-port — and its query API answers with the series a user
// would chart: replicas, cameras' latency histograms, nodes, flows (issue 21, item 1).
#include <gtest/gtest.h>

#include <httplib.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <optional>

#include <nlohmann/json.hpp>

#include "actors/runtime/deploy/nats_server.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

// Prometheus scraping `target` every second, its API on `port`; killed at the end.
class prometheus_server {
 public:
  prometheus_server(const std::string& target, int port) : dir_(std::string(::testing::TempDir()) + "/troupe-prom") {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ + "/prometheus.yml") << "global: {scrape_interval: 1s, scrape_timeout: 900ms}\n"
                                                "scrape_configs:\n"
                                                "  - job_name: troupe\n"
                                                "    static_configs: [{targets: ['" << target << "']}]\n";
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives a test that crashed
      std::string config = "--config.file=" + dir_ + "/prometheus.yml", data = "--storage.tsdb.path=" + dir_ + "/data",
                  listen = "--web.listen-address=127.0.0.1:" + std::to_string(port), log = dir_ + "/log";
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      ::execlp("prometheus", "prometheus", config.c_str(), data.c_str(), listen.c_str(), (char*)nullptr);
      ::_exit(127);
    }
  }
  ~prometheus_server() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    std::filesystem::remove_all(dir_);
  }
  std::string log() const {
    std::ifstream in(dir_ + "/log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

// The first sample of an instant query's answer; nullopt when none (yet).
std::optional<double> query(httplib::Client& api, const std::string& q) {
  auto res = api.Get("/api/v1/query", httplib::Params{{"query", q}}, httplib::Headers{});
  if (!res || res->status != 200)
    return std::nullopt;
  auto j = nlohmann::json::parse(res->body, nullptr, false);
  if (j.is_discarded() || j["status"] != "success" || j["data"]["result"].empty())
    return std::nullopt;
  return std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
}

bool positive(httplib::Client& api, const std::string& q) {
  auto v = query(api, q);
  return v && *v > 0;
}

}  // namespace

TEST(Prometheus, ScrapesTheDemoAndAnswersForItsReplicaCameraNodesAndFlows) {
  int metrics_port = free_loopback_port(), api_port = free_loopback_port();
  auto run = std::async(std::launch::async, [&] {
    return troupe_cli("run " + source_dir() + "/topologies/demo.yaml --duration 25 --metrics-port " +
                      std::to_string(metrics_port));
  });
  prometheus_server prometheus("127.0.0.1:" + std::to_string(metrics_port), api_port);
  httplib::Client api("127.0.0.1", api_port);
  EXPECT_TRUE(eventually([&] { return positive(api, "troupe_replica_successes_total{replica=\"hog-1\",model=\"hog\"}"); },
                         20s))
      << prometheus.log();
  EXPECT_EQ(query(api, "up{job=\"troupe\"}"), 1.0);
  EXPECT_TRUE(positive(api, "troupe_camera_latency_seconds_count{camera=\"cam-1\",sink=\"sink\"}"));
  EXPECT_TRUE(positive(api, "troupe_node_heartbeats_sent_total{node=\"server\"}"));
  EXPECT_TRUE(positive(api, "troupe_flow_bytes_total{from=\"cam-1\",to=\"hog-1\"}"));  // JPEGs cross the bus
  EXPECT_TRUE(positive(api, "troupe_items_total{actor=\"cam-1\",fate=\"produced\"}"));
  // A quantile from the histogram's buckets, as a dashboard asks for it.
  EXPECT_TRUE(eventually(
      [&] { return positive(api, "histogram_quantile(0.95, rate(troupe_replica_compute_seconds_bucket[5s]))"); }, 10s));
  auto r = run.get();
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("metrics of every node: http://127.0.0.1:" + std::to_string(metrics_port) + "/metrics"),
            std::string::npos)
      << r.output;
}

TEST(Prometheus, APortTakenFailsTheRunWithTheAddressNamed) {
  auto file = write_temp("metrics-taken.yaml", "deployment: taken\nnodes: [{name: a}]\nactors: []\n");
  httplib::Server holder;
  int port = holder.bind_to_any_port("127.0.0.1");
  auto r = troupe_cli("run " + file + " --duration 1 --metrics-port " + std::to_string(port));
  EXPECT_NE(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos) << r.output;
}
