// Troupe's bus against raw nats.c, side by side in one run on one nats-server:
// cross-node request/reply round trip, and one-way throughput at 1 KB, 64 KB, 512 KB.
// With --observed a third path joins: Troupe with its metrics served and scraped every
// second (flow counters on every send) and every envelope traced to a file, the cost
// issue 21 bounds. Rounds alternate the paths so all see the same machine noise;
// medians and ratios are printed, never a single timing.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <httplib.h>
#include <nats/nats.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/metrics/endpoint.hpp"
#include "actors/runtime/metrics/node_metrics.hpp"
#include "actors/runtime/node.hpp"
#include "troupe/messages/runtime.pb.h"
#include "vision/percentile.hpp"

using namespace troupe;
using clock_type = std::chrono::steady_clock;

namespace {

using vision::median;
using vision::percentile;

struct settings {
  int rounds = 5;
  int round_trips = 2000;
  double seconds_per_throughput_round = 1.0;
  std::string nats_url;  // empty: an embedded nats-server
  std::string scheduler = "sharing";
  std::vector<size_t> sizes_kb = {1, 64, 512};
  bool observed = false;  // also Troupe with metrics served and scraped, and a trace
  std::string trace_file = "/tmp/troupe-bus-bench-trace.jsonl";
  double trace_sample = 1.0;  // of the observed path's traces; 0: no trace
};

natsConnection* raw_connect(const std::string& url) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetSendAsap(opts, true);
  natsConnection* nc = nullptr;
  if (natsConnection_Connect(&nc, opts) != NATS_OK)
    throw std::runtime_error("raw nats.c cannot connect to " + url);
  natsOptions_Destroy(opts);
  return nc;
}

// -- round trip ----------------------------------------------------------------

void raw_echo(natsConnection* nc, natsSubscription*, natsMsg* m, void*) {
  natsConnection_Publish(nc, natsMsg_GetReply(m), natsMsg_GetData(m), natsMsg_GetDataLength(m));
  natsMsg_Destroy(m);
}

std::vector<double> raw_round_trips(natsConnection* client, int n, const std::string& payload) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    natsMsg* reply = nullptr;
    auto t0 = clock_type::now();
    if (natsConnection_Request(&reply, client, "bench.echo", payload.data(), int(payload.size()), 2000) != NATS_OK)
      throw std::runtime_error("raw request failed");
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
    natsMsg_Destroy(reply);
  }
  return us;
}

caf::behavior echo(caf::event_based_actor*, context ctx) {
  return {[=](const letter& in) { ctx.reply(in, in.body); }};
}

std::vector<double> troupe_round_trips(node& client, int n, const msg::Blob& payload) {
  std::vector<double> us;
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    auto reply = client.request("echo", payload, std::chrono::milliseconds(2000));
    if (!reply)
      throw std::runtime_error("troupe request failed: " + describe(reply.error()));
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
  }
  return us;
}

// -- throughput ----------------------------------------------------------------

struct counter {
  std::atomic<uint64_t> messages{0}, bytes{0};
};

void raw_count(natsConnection*, natsSubscription*, natsMsg* m, void* c) {
  auto* cnt = static_cast<counter*>(c);
  cnt->bytes += natsMsg_GetDataLength(m);
  ++cnt->messages;
  natsMsg_Destroy(m);
}

caf::behavior counting(caf::event_based_actor*, context, counter* cnt) {
  return {[=](const letter& in) {
    cnt->bytes += in.as<msg::Blob>()->data().size();
    ++cnt->messages;
  }};
}

// Sends for about `seconds`, then waits for the last delivery: bytes/s delivered.
double measure(counter& cnt, double seconds, const std::function<void()>& send_one) {
  uint64_t start_count = cnt.messages;
  uint64_t start_bytes = cnt.bytes;
  uint64_t sent = 0;
  auto t0 = clock_type::now();
  auto until = t0 + std::chrono::duration<double>(seconds);
  while (clock_type::now() < until) {
    for (int i = 0; i < 16; ++i)
      send_one();
    sent += 16;
  }
  auto give_up = clock_type::now() + std::chrono::seconds(10);
  while (cnt.messages - start_count < sent && clock_type::now() < give_up)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  double elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
  if (cnt.messages - start_count < sent)
    std::printf("    (%lu of %lu messages delivered)\n", (unsigned long) (cnt.messages - start_count),
                (unsigned long) sent);
  return (cnt.bytes - start_bytes) / elapsed;
}

// Two Troupe nodes, every message crossing the server; `observed`: with flow metrics,
// a trace of every envelope, and the metrics endpoint scraped once a second.
class troupe_path {
 public:
  troupe_path(const settings& s, const std::string& tag, bool observed)
      : client_(config(s, tag, "client", observed)), server_(config(s, tag, "server", observed)) {
    server_.spawn_function("echo", echo);
    server_.spawn_function("sink", counting, &received);
    if (!observed)
      return;
    roster_.add(client_);
    roster_.add(server_);
    endpoint_ = std::make_unique<metrics::endpoint>("127.0.0.1", 0, [this] { return roster_.scrape(); });
    scraper_ = std::thread([this] {
      httplib::Client c("127.0.0.1", endpoint_->port());
      while (!done_) {
        if (auto r = c.Get("/metrics"); r && r->status == 200)
          ++scrapes_;
        for (int i = 0; i < 100 && !done_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    });
  }
  ~troupe_path() {
    done_ = true;
    if (scraper_.joinable())
      scraper_.join();
    endpoint_.reset();
    roster_.remove(client_);
    roster_.remove(server_);
  }
  node& client() { return client_; }
  uint64_t scrapes() const { return scrapes_; }
  node& server() { return server_; }
  counter received;

 private:
  // Each path a deployment of its own: its nodes hear only each other.
  static node_config config(const settings& s, const std::string& tag, const std::string& name, bool observed) {
    node_config c;
    c.deployment = "bench" + tag;
    c.scheduler = s.scheduler;
    c.name = name;
    c.bus.url = s.nats_url;
    c.bus.pending_msgs_limit = -1;  // same as the raw subscriber
    c.bus.pending_bytes_limit = -1;
    if (observed) {
      c.flow_metrics = true;
      if (s.trace_sample > 0)
        c.trace_file = s.trace_file + "." + name;  // both nodes trace: sends and receipts
      c.trace_sample = s.trace_sample;
    }
    return c;
  }

  node client_, server_;
  metrics::node_roster roster_;
  std::unique_ptr<metrics::endpoint> endpoint_;
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> scrapes_{0};
  std::thread scraper_;
};

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"Troupe bus benchmark: Troupe vs raw nats.c, side by side"};
  app.add_option("--rounds", s.rounds, "alternating rounds per measurement (default 5)");
  app.add_option("--round-trips", s.round_trips, "requests per round (default 2000)");
  app.add_option("--seconds", s.seconds_per_throughput_round, "seconds per throughput round (default 1)");
  app.add_option("--nats", s.nats_url, "NATS url (default: an embedded nats-server)");
  app.add_option("--sizes", s.sizes_kb, "payload sizes in KB for throughput (default 1 64 512)");
  app.add_option("--scheduler", s.scheduler, "CAF scheduler of the Troupe nodes: sharing or stealing");
  app.add_flag("--observed", s.observed,
               "add Troupe with metrics served and scraped and every envelope traced (issue 21's cost)");
  app.add_option("--trace-sample", s.trace_sample, "fraction of the observed path's traces recorded (0: no trace)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--trace-file", s.trace_file, "prefix of the observed path's trace files (removed at the end)");
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<nats_server> server;
  if (s.nats_url.empty()) {
    server = std::make_unique<nats_server>();
    s.nats_url = server->url();
  }
  std::printf("bus benchmark on %s, %d alternating rounds, CAF scheduler %s\n", s.nats_url.c_str(), s.rounds,
              s.scheduler.c_str());
  if (s.observed)
    std::printf("observed: flow metrics served and scraped every 1 s, trace sample %.2f\n", s.trace_sample);
  std::printf("\n");

  // Two raw connections and two Troupe nodes per path: every message crosses the server.
  natsConnection* raw_client = raw_connect(s.nats_url);
  natsConnection* raw_server = raw_connect(s.nats_url);
  natsSubscription* echo_sub = nullptr;
  natsConnection_Subscribe(&echo_sub, raw_server, "bench.echo", raw_echo, nullptr);
  counter raw_counter;
  natsSubscription* sink_sub = nullptr;
  natsConnection_Subscribe(&sink_sub, raw_server, "bench.sink", raw_count, &raw_counter);
  natsSubscription_SetPendingLimits(sink_sub, -1, -1);
  natsConnection_Flush(raw_server);

  std::vector<std::unique_ptr<troupe_path>> paths;
  std::vector<std::string> names = {"troupe"};
  paths.push_back(std::make_unique<troupe_path>(s, "", false));
  if (s.observed) {
    names.push_back("observed");
    paths.push_back(std::make_unique<troupe_path>(s, "-observed", true));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // Round trip with a small payload.
  msg::Blob small;
  small.set_data(std::string(64, 'r'));
  std::string raw_small = small.SerializeAsString();
  raw_round_trips(raw_client, 200, raw_small);  // warm up every path
  for (auto& p : paths)
    troupe_round_trips(p->client(), 200, small);
  std::vector<double> raw_rtt;
  std::vector<std::vector<double>> rtt(paths.size());
  for (int r = 0; r < s.rounds; ++r) {
    auto a = raw_round_trips(raw_client, s.round_trips, raw_small);
    raw_rtt.insert(raw_rtt.end(), a.begin(), a.end());
    for (size_t i = 0; i < paths.size(); ++i) {
      auto b = troupe_round_trips(paths[i]->client(), s.round_trips, small);
      rtt[i].insert(rtt[i].end(), b.begin(), b.end());
    }
  }
  std::printf("request/reply round trip, 64 B payload, %zu requests each\n", raw_rtt.size());
  std::printf("  %-8s median %7.1f us   p95 %7.1f us\n", "raw", median(raw_rtt), percentile(raw_rtt, 95));
  for (size_t i = 0; i < paths.size(); ++i)
    std::printf("  %-8s median %7.1f us   p95 %7.1f us   ratio to raw (median) %.2fx\n", names[i].c_str(),
                median(rtt[i]), percentile(rtt[i], 95), median(rtt[i]) / median(raw_rtt));
  std::printf("  goal: troupe <= 1.20x raw");
  if (s.observed)
    std::printf("; observed <= 1.05x troupe (now %.2fx)", median(rtt[1]) / median(rtt[0]));
  std::printf("\n\none-way throughput, cross-node, delivered bytes per second (median of rounds)\n");
  for (size_t kb : s.sizes_kb) {
    size_t size = kb * 1024;
    auto blob = std::make_shared<msg::Blob>();
    blob->set_data(std::string(size, 'x'));
    std::string raw_bytes = blob->SerializeAsString();
    std::vector<double> raw_bps;
    std::vector<std::vector<double>> bps(paths.size());
    for (int r = 0; r < s.rounds; ++r) {
      raw_bps.push_back(measure(raw_counter, s.seconds_per_throughput_round, [&] {
        natsConnection_Publish(raw_client, "bench.sink", raw_bytes.data(), int(raw_bytes.size()));
      }));
      for (size_t i = 0; i < paths.size(); ++i)
        bps[i].push_back(measure(paths[i]->received, s.seconds_per_throughput_round,
                                 [&] { paths[i]->client().send("sink", blob); }));
    }
    std::printf("  %4zu KB  raw %7.1f MB/s", size / 1024, median(raw_bps) / 1e6);
    for (size_t i = 0; i < paths.size(); ++i)
      std::printf("   %s %7.1f MB/s (%.2fx)", names[i].c_str(), median(bps[i]) / 1e6, median(bps[i]) / median(raw_bps));
    if (s.observed)
      std::printf("   observed/troupe %.2fx", median(bps[1]) / median(bps[0]));
    std::printf("\n");
  }
  std::printf("  goal: troupe >= 0.80x raw%s\n", s.observed ? "; observed >= 0.95x troupe" : "");
  int64_t raw_dropped = 0;
  natsSubscription_GetDropped(sink_sub, &raw_dropped);
  std::printf("\nslow-consumer drops: raw %ld", (long) raw_dropped);
  for (size_t i = 0; i < paths.size(); ++i)
    std::printf(", %s %ld", names[i].c_str(), (long) paths[i]->server().stats().slow_consumer_drops);
  std::printf("\n");
  if (s.observed)
    std::printf("observed path scraped %lu times\n", (unsigned long) paths[1]->scrapes());
  paths.clear();
  if (s.observed)
    for (auto* n : {"client", "server"})
      std::remove((s.trace_file + "." + n).c_str());
  natsSubscription_Destroy(echo_sub);
  natsSubscription_Destroy(sink_sub);
  natsConnection_Destroy(raw_client);
  natsConnection_Destroy(raw_server);
  return 0;
}
