// Troupe's bus against raw nats.c, side by side in one run on one nats-server:
// cross-node request/reply round trip, and one-way throughput at 1 KB, 64 KB, 512 KB.
// Rounds alternate raw and Troupe so both see the same machine noise; medians and
// ratios are printed, never a single timing.
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
#include <nats/nats.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
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
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<nats_server> server;
  if (s.nats_url.empty()) {
    server = std::make_unique<nats_server>();
    s.nats_url = server->url();
  }
  std::printf("bus benchmark on %s, %d alternating rounds, CAF scheduler %s\n\n", s.nats_url.c_str(),
              s.rounds, s.scheduler.c_str());

  // Two raw connections and two Troupe nodes: every message crosses the server.
  natsConnection* raw_client = raw_connect(s.nats_url);
  natsConnection* raw_server = raw_connect(s.nats_url);
  natsSubscription* echo_sub = nullptr;
  natsConnection_Subscribe(&echo_sub, raw_server, "bench.echo", raw_echo, nullptr);
  counter raw_counter, troupe_counter;
  natsSubscription* sink_sub = nullptr;
  natsConnection_Subscribe(&sink_sub, raw_server, "bench.sink", raw_count, &raw_counter);
  natsSubscription_SetPendingLimits(sink_sub, -1, -1);
  natsConnection_Flush(raw_server);

  node_config ca, cb;
  ca.deployment = cb.deployment = "bench";
  ca.scheduler = cb.scheduler = s.scheduler;
  ca.name = "client";
  cb.name = "server";
  ca.bus.url = cb.bus.url = s.nats_url;
  ca.bus.pending_msgs_limit = cb.bus.pending_msgs_limit = -1;  // same as the raw subscriber
  ca.bus.pending_bytes_limit = cb.bus.pending_bytes_limit = -1;
  node client(ca), srv(cb);
  srv.spawn_function("echo", echo);
  srv.spawn_function("sink", counting, &troupe_counter);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  // Round trip with a small payload.
  msg::Blob small;
  small.set_data(std::string(64, 'r'));
  std::string raw_small = small.SerializeAsString();
  raw_round_trips(raw_client, 200, raw_small);  // warm up both paths
  troupe_round_trips(client, 200, small);
  std::vector<double> raw_rtt, troupe_rtt;
  for (int r = 0; r < s.rounds; ++r) {
    auto a = raw_round_trips(raw_client, s.round_trips, raw_small);
    auto b = troupe_round_trips(client, s.round_trips, small);
    raw_rtt.insert(raw_rtt.end(), a.begin(), a.end());
    troupe_rtt.insert(troupe_rtt.end(), b.begin(), b.end());
  }
  std::printf("request/reply round trip, 64 B payload, %zu requests each\n", raw_rtt.size());
  std::printf("  %-8s median %7.1f us   p95 %7.1f us\n", "raw", median(raw_rtt), percentile(raw_rtt, 95));
  std::printf("  %-8s median %7.1f us   p95 %7.1f us\n", "troupe", median(troupe_rtt), percentile(troupe_rtt, 95));
  std::printf("  ratio troupe/raw (median): %.2fx   goal <= 1.20x\n\n", median(troupe_rtt) / median(raw_rtt));

  std::printf("one-way throughput, cross-node, delivered bytes per second\n");
  for (size_t kb : s.sizes_kb) {
    size_t size = kb * 1024;
    auto blob = std::make_shared<msg::Blob>();
    blob->set_data(std::string(size, 'x'));
    std::string raw_bytes = blob->SerializeAsString();
    std::vector<double> raw_bps, troupe_bps;
    for (int r = 0; r < s.rounds; ++r) {
      raw_bps.push_back(measure(raw_counter, s.seconds_per_throughput_round, [&] {
        natsConnection_Publish(raw_client, "bench.sink", raw_bytes.data(), int(raw_bytes.size()));
      }));
      troupe_bps.push_back(measure(troupe_counter, s.seconds_per_throughput_round, [&] {
        client.send("sink", blob);
      }));
    }
    std::printf("  %4zu KB  raw %7.1f MB/s   troupe %7.1f MB/s   ratio %.2fx   goal >= 0.80x\n",
                size / 1024, median(raw_bps) / 1e6, median(troupe_bps) / 1e6,
                median(troupe_bps) / median(raw_bps));
  }
  int64_t raw_dropped = 0;
  natsSubscription_GetDropped(sink_sub, &raw_dropped);
  std::printf("\nslow-consumer drops: raw %ld, troupe %ld\n", (long) raw_dropped,
              (long) srv.stats().slow_consumer_drops);
  natsSubscription_Destroy(echo_sub);
  natsSubscription_Destroy(sink_sub);
  natsConnection_Destroy(raw_client);
  natsConnection_Destroy(raw_server);
  return 0;
}
