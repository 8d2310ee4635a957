// Troupe's bus against raw nats.c, side by side in one run on one nats-server:
// cross-node request/reply round trip; one-way throughput from 16 B to 64 KB; many to
// one (32 senders on 4 connections to one receiver, as cameras to a sink); fan-out (one
// topic, 16 subscribers on 4 connections). With --observed a third path joins: Troupe
// with its metrics served and scraped every second and every envelope traced to a
// file, the cost issue 21 bounds.
//
// An instrument, not a race: a warm-up round first, then rounds that alternate which
// path goes first so all see the same machine noise; each figure is the median of the
// rounds with their min–max, and ratios are of medians. The options it ran with (CAF's
// scheduler, nats.c's) are printed with the figures.
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

#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/metrics/endpoint.hpp"
#include "actors/runtime/metrics/node_metrics.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/trace/trace_recorder.hpp"
#include "troupe/messages/runtime.pb.h"
#include "vision/percentile.hpp"

using namespace troupe;
using clock_type = std::chrono::steady_clock;

namespace {

using vision::median;
using vision::percentile;

struct settings {
  int rounds = 5;
  int warmup_rounds = 1;
  int round_trips = 2000;
  double seconds = 1.0;  // per throughput round
  std::string nats_url;  // empty: an embedded nats-server
  std::string scheduler = "sharing";
  size_t workers = 0;
  std::vector<size_t> rtt_sizes = {64};
  std::vector<size_t> sizes = {16, 256, 1024, 4096, 65536};
  int senders = 32, sender_connections = 4;
  int subscribers = 16, subscriber_connections = 4;
  size_t crowd_size = 256;  // many-to-one and fan-out payload
  std::string only;         // "raw" or "troupe": one path, for a profiler
  bool observed = false;    // also Troupe with metrics served and scraped, and a trace
  int coalesce_us = outbox_options{}.coalesce_us;  // Troupe's outbox (runtime.bus_coalesce_us)
  bool alone = false;       // also Troupe with every letter published on its own
  size_t queue_kb = outbox_options{}.queue_bytes / 1024;
  size_t batch_kb = outbox_options{}.batch_bytes / 1024;
  std::string trace_file = "/tmp/troupe-bus-bench-trace";
  std::vector<std::string> trace_formats = {"binary"};  // an observed path each
  double trace_sample = 1.0;
};

natsConnection* raw_connect(const std::string& url) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, url.c_str());
  natsOptions_SetSendAsap(opts, true);  // as Troupe's connections
  natsConnection* nc = nullptr;
  if (natsConnection_Connect(&nc, opts) != NATS_OK)
    throw std::runtime_error("raw nats.c cannot connect to " + url);
  natsOptions_Destroy(opts);
  return nc;
}

struct counter {
  std::atomic<uint64_t> messages{0}, bytes{0};
};

// -- raw nats.c ------------------------------------------------------------------

void raw_echo(natsConnection* nc, natsSubscription*, natsMsg* m, void*) {
  natsConnection_Publish(nc, natsMsg_GetReply(m), natsMsg_GetData(m), natsMsg_GetDataLength(m));
  natsMsg_Destroy(m);
}

void raw_count(natsConnection*, natsSubscription*, natsMsg* m, void* c) {
  auto* cnt = static_cast<counter*>(c);
  cnt->bytes += natsMsg_GetDataLength(m);
  ++cnt->messages;
  natsMsg_Destroy(m);
}

// Clients and servers on connections of their own: every message crosses the server.
class raw_path {
 public:
  raw_path(const settings& s) {
    for (int i = 0; i < std::max(s.sender_connections, 1); ++i)
      clients_.push_back(raw_connect(s.nats_url));
    for (int i = 0; i < std::max(s.subscriber_connections, 1); ++i)
      servers_.push_back(raw_connect(s.nats_url));
    subscribe(servers_[0], "bench.echo", raw_echo, nullptr);
    subscribe(servers_[0], "bench.sink", raw_count, &received);
    for (int i = 0; i < s.subscribers; ++i)
      subscribe(servers_[size_t(i) % servers_.size()], "bench.fan", raw_count, &fanned);
    for (auto* c : servers_)
      natsConnection_Flush(c);
  }
  ~raw_path() {
    for (auto* sub : subs_)
      natsSubscription_Destroy(sub);
    for (auto* c : clients_)
      natsConnection_Destroy(c);
    for (auto* c : servers_)
      natsConnection_Destroy(c);
  }
  natsConnection* client(size_t i = 0) { return clients_[i % clients_.size()]; }
  int64_t dropped() const {
    int64_t all = 0;
    for (auto* sub : subs_) {
      int64_t d = 0;
      natsSubscription_GetDropped(sub, &d);
      all += d;
    }
    return all;
  }
  counter received, fanned;

 private:
  void subscribe(natsConnection* c, const char* subject, natsMsgHandler h, void* closure) {
    natsSubscription* sub = nullptr;
    if (natsConnection_Subscribe(&sub, c, subject, h, closure) != NATS_OK)
      throw std::runtime_error(std::string("raw nats.c cannot subscribe to ") + subject);
    natsSubscription_SetPendingLimits(sub, -1, -1);  // as the Troupe nodes here
    subs_.push_back(sub);
  }
  std::vector<natsConnection*> clients_, servers_;
  std::vector<natsSubscription*> subs_;
};

// -- Troupe ----------------------------------------------------------------------

caf::behavior echo(caf::event_based_actor*, context ctx) {
  return {[=](const letter& in) { ctx.reply(in, in.body); }};
}

caf::behavior counting(caf::event_based_actor*, context, counter* cnt) {
  return {[=](const letter& in) {
    cnt->bytes += in.as<msg::Blob>()->data().size();
    ++cnt->messages;
  }};
}

// Client nodes and server nodes of one deployment, every message crossing the server;
// `observed`: with flow metrics, a trace of every envelope in files ending in
// `trace_extension` (its format), and the metrics endpoint scraped once a second.
class troupe_path {
 public:
  troupe_path(const settings& s, const std::string& tag, bool observed, int coalesce_us,
              const std::string& trace_extension = ".trace") {
    auto make = [&](const std::string& name) {
      auto c = config(s, tag, name, observed, coalesce_us, trace_extension);
      if (!c.trace_file.empty())
        trace_files_.push_back(c.trace_file);
      return std::make_unique<node>(c);
    };
    for (int i = 0; i < std::max(s.sender_connections, 1); ++i)
      clients_.push_back(make("client-" + std::to_string(i)));
    for (int i = 0; i < std::max(s.subscriber_connections, 1); ++i)
      servers_.push_back(make("server-" + std::to_string(i)));
    servers_[0]->spawn_function("echo", echo);
    servers_[0]->spawn_function("sink", counting, &received);
    for (int i = 0; i < s.subscribers; ++i) {
      auto& host = *servers_[size_t(i) % servers_.size()];
      auto fan = host.spawn_function("fan-" + std::to_string(i), counting, &fanned);
      if (!fan || host.subscribe("fan", *fan))
        throw std::runtime_error("troupe: cannot subscribe fan-" + std::to_string(i));
    }
    if (observed)
      observe();
  }
  ~troupe_path() {
    done_ = true;
    if (scraper_.joinable())
      scraper_.join();
    endpoint_.reset();
    for (auto& n : clients_)
      roster_.remove(*n);
    for (auto& n : servers_)
      roster_.remove(*n);
  }
  node& client(size_t i = 0) { return *clients_[i % clients_.size()]; }
  uint64_t scrapes() const { return scrapes_; }
  const std::vector<std::string>& trace_files() const { return trace_files_; }
  uint64_t dropped() const {
    uint64_t all = 0;
    for (auto& n : servers_)
      all += n->stats().slow_consumer_drops;
    return all;
  }
  // NATS messages of several letters the path's nodes sent, and the letters in them.
  std::pair<uint64_t, uint64_t> batches() const {
    std::pair<uint64_t, uint64_t> all;
    for (auto* list : {&clients_, &servers_})
      for (auto& n : *list) {
        auto st = n->stats();
        all.first += st.bus_batches;
        all.second += st.bus_batched_letters;
      }
    return all;
  }
  counter received, fanned;

 private:
  static node_config config(const settings& s, const std::string& tag, const std::string& name, bool observed,
                            int coalesce_us, const std::string& trace_extension) {
    node_config c;
    c.outbox.coalesce_us = coalesce_us;
    c.outbox.queue_bytes = s.queue_kb * 1024;
    c.outbox.batch_bytes = s.batch_kb * 1024;
    c.deployment = "bench" + tag;  // each path a deployment of its own
    c.scheduler = s.scheduler;
    c.workers = s.workers;
    c.name = name;
    c.bus.url = s.nats_url;
    c.bus.pending_msgs_limit = -1;  // as the raw subscribers
    c.bus.pending_bytes_limit = -1;
    if (observed) {
      c.flow_metrics = true;
      if (s.trace_sample > 0)
        c.trace_file = s.trace_file + tag + "." + name + trace_extension;  // every node traces: sends and receipts
      c.trace_sample = s.trace_sample;
    }
    return c;
  }
  void observe() {
    for (auto& n : clients_)
      roster_.add(*n);
    for (auto& n : servers_)
      roster_.add(*n);
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

  std::vector<std::string> trace_files_;
  std::vector<std::unique_ptr<node>> clients_, servers_;
  metrics::node_roster roster_;
  std::unique_ptr<metrics::endpoint> endpoint_;
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> scrapes_{0};
  std::thread scraper_;
};

// -- measuring ---------------------------------------------------------------------

// Round trips of one payload, in microseconds.
std::vector<double> timed(int n, const std::function<void()>& round_trip) {
  std::vector<double> us;
  us.reserve(size_t(n));
  for (int i = 0; i < n; ++i) {
    auto t0 = clock_type::now();
    round_trip();
    us.push_back(std::chrono::duration<double, std::micro>(clock_type::now() - t0).count());
  }
  return us;
}

struct rate {
  double bytes_per_s = 0, messages_per_s = 0;
};

// `threads` senders call send(thread) for about `seconds`; then waits until each send's
// `copies` deliveries arrived (or 10 s): what was delivered per second until the last.
rate measure(counter& cnt, double seconds, int threads, uint64_t copies, const std::function<void(int)>& send) {
  uint64_t start_count = cnt.messages, start_bytes = cnt.bytes;
  std::atomic<uint64_t> sent{0};
  auto t0 = clock_type::now();
  auto until = t0 + std::chrono::duration<double>(seconds);
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&, t] {
      uint64_t mine = 0;
      while (clock_type::now() < until) {
        for (int i = 0; i < 16; ++i)
          send(t);
        mine += 16;
      }
      sent += mine;
    });
  for (auto& s : senders)
    s.join();
  auto expected = sent * copies;
  auto give_up = clock_type::now() + std::chrono::seconds(10);
  while (cnt.messages - start_count < expected && clock_type::now() < give_up)
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  double elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
  if (cnt.messages - start_count < expected)
    std::printf("    (%lu of %lu deliveries arrived)\n", (unsigned long) (cnt.messages - start_count),
                (unsigned long) expected);
  return {(cnt.bytes - start_bytes) / elapsed, (cnt.messages - start_count) / elapsed};
}

std::string size_name(size_t bytes) {
  return bytes >= 1024 ? std::to_string(bytes / 1024) + " KB" : std::to_string(bytes) + " B";
}

// "median (min–max)" of per-round figures, in `unit` (a divisor).
std::string spread(const std::vector<double>& v, double unit, const char* format = "%.1f") {
  auto text = [&](double x) {
    char b[32];
    std::snprintf(b, sizeof b, format, x / unit);
    return std::string(b);
  };
  auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  return text(median(v)) + " (" + text(*lo) + "–" + text(*hi) + ")";
}

// One measurement on every path, rounds alternating which goes first; the warm-up
// rounds are run and not kept. Returns per path its per-round figures.
template <class Run>
std::vector<std::vector<double>> rounds(const settings& s, size_t paths, Run run_one) {
  std::vector<std::vector<double>> kept(paths);
  for (int r = -s.warmup_rounds; r < s.rounds; ++r)
    for (size_t k = 0; k < paths; ++k) {
      size_t p = (r % 2 == 0) ? k : paths - 1 - k;
      double figure = run_one(p, r < 0);
      if (r >= 0)
        kept[p].push_back(figure);
    }
  return kept;
}

// The paths of one run: raw nats.c first, then the Troupe ones (any may be left out).
struct bench {
  settings s;
  std::unique_ptr<raw_path> raw;
  std::vector<std::unique_ptr<troupe_path>> troupe;
  std::vector<std::string> names;

  size_t paths() const { return names.size(); }
  bool is_raw(size_t p) const { return raw && p == 0; }
  troupe_path& t(size_t p) { return *troupe[raw ? p - 1 : p]; }

  // "  name  median (min–max) unit  ratio" per path, the ratio of medians to the first.
  void print(const std::vector<std::vector<double>>& per_round, double unit, const char* unit_name) {
    for (size_t p = 0; p < paths(); ++p) {
      std::printf("    %-9s %s %s", names[p].c_str(), spread(per_round[p], unit).c_str(), unit_name);
      if (p > 0)
        std::printf("   %.2fx %s", median(per_round[p]) / median(per_round[0]), names[0].c_str());
      std::printf("\n");
    }
  }
};

void round_trip(bench& b) {
  for (size_t size : b.s.rtt_sizes) {
    msg::Blob payload;
    payload.set_data(std::string(size, 'r'));
    std::string raw_bytes = payload.SerializeAsString();
    std::vector<std::vector<double>> all(b.paths());
    auto per_round = rounds(b.s, b.paths(), [&](size_t p, bool warm_up) {
      auto us = timed(warm_up ? 200 : b.s.round_trips, [&] {
        if (b.is_raw(p)) {
          natsMsg* reply = nullptr;
          if (natsConnection_Request(&reply, b.raw->client(), "bench.echo", raw_bytes.data(), int(raw_bytes.size()),
                                     2000) != NATS_OK)
            throw std::runtime_error("raw request failed");
          natsMsg_Destroy(reply);
        } else if (auto reply = b.t(p).client().request("echo", payload, std::chrono::milliseconds(2000)); !reply)
          throw std::runtime_error("troupe request failed: " + describe(reply.error()));
      });
      if (!warm_up)
        all[p].insert(all[p].end(), us.begin(), us.end());
      return median(us);
    });
    std::printf("request/reply round trip, %s payload, %d requests per round: p50 and p95 of all, per-round p50s\n",
                size_name(size).c_str(), b.s.round_trips);
    for (size_t p = 0; p < b.paths(); ++p) {
      std::printf("    %-9s p50 %7.1f us   p95 %7.1f us   round p50s %s us", b.names[p].c_str(), median(all[p]),
                  percentile(all[p], 95), spread(per_round[p], 1).c_str());
      if (p > 0)
        std::printf("   %.2fx / %.2fx %s", median(all[p]) / median(all[0]),
                    percentile(all[p], 95) / percentile(all[0], 95), b.names[0].c_str());
      std::printf("\n");
    }
  }
  std::printf("    goal: troupe <= 1.10x raw at p50 and p95 (issue 22)\n\n");
}

void throughput(bench& b) {
  std::printf("one-way throughput, one sender, cross-node: delivered MB/s and k messages/s, median (min–max)\n");
  for (size_t size : b.s.sizes) {
    auto blob = std::make_shared<msg::Blob>();
    blob->set_data(std::string(size, 'x'));
    std::string raw_bytes = blob->SerializeAsString();
    std::vector<std::vector<double>> messages(b.paths());
    auto bytes = rounds(b.s, b.paths(), [&](size_t p, bool warm_up) {
      double seconds = warm_up ? b.s.seconds / 4 : b.s.seconds;
      auto r = b.is_raw(p) ? measure(b.raw->received, seconds, 1, 1,
                                     [&](int) {
                                       natsConnection_Publish(b.raw->client(), "bench.sink", raw_bytes.data(),
                                                              int(raw_bytes.size()));
                                     })
                           : measure(b.t(p).received, seconds, 1, 1, [&](int) { b.t(p).client().send("sink", blob); });
      if (!warm_up)
        messages[p].push_back(r.messages_per_s);
      return r.bytes_per_s;
    });
    std::printf("  %s\n", size_name(size).c_str());
    for (size_t p = 0; p < b.paths(); ++p) {
      std::printf("    %-9s %s MB/s   %s k msg/s", b.names[p].c_str(), spread(bytes[p], 1e6).c_str(),
                  spread(messages[p], 1e3).c_str());
      if (p > 0)
        std::printf("   %.2fx %s", median(bytes[p]) / median(bytes[0]), b.names[0].c_str());
      std::printf("\n");
    }
  }
  std::printf("    goal: troupe >= 0.80x raw at 1 KB (issue 22)\n\n");
}

void many_to_one(bench& b) {
  auto blob = std::make_shared<msg::Blob>();
  blob->set_data(std::string(b.s.crowd_size, 'm'));
  std::string raw_bytes = blob->SerializeAsString();
  auto per_round = rounds(b.s, b.paths(), [&](size_t p, bool warm_up) {
    double seconds = warm_up ? b.s.seconds / 4 : b.s.seconds;
    if (b.is_raw(p))
      return measure(b.raw->received, seconds, b.s.senders, 1, [&](int t) {
               natsConnection_Publish(b.raw->client(size_t(t)), "bench.sink", raw_bytes.data(), int(raw_bytes.size()));
             }).messages_per_s;
    return measure(b.t(p).received, seconds, b.s.senders, 1,
                   [&](int t) { b.t(p).client(size_t(t)).send("sink", blob); })
        .messages_per_s;
  });
  std::printf("many to one: %d senders on %d connections (nodes) to one receiver, %s: delivered k messages/s\n",
              b.s.senders, b.s.sender_connections, size_name(b.s.crowd_size).c_str());
  b.print(per_round, 1e3, "k msg/s");
  std::printf("\n");
}

void fan_out(bench& b) {
  msg::Blob blob;
  blob.set_data(std::string(b.s.crowd_size, 'f'));
  std::string raw_bytes = blob.SerializeAsString();
  auto copies = uint64_t(b.s.subscribers);
  auto per_round = rounds(b.s, b.paths(), [&](size_t p, bool warm_up) {
    double seconds = warm_up ? b.s.seconds / 4 : b.s.seconds;
    if (b.is_raw(p))
      return measure(b.raw->fanned, seconds, 1, copies, [&](int) {
               natsConnection_Publish(b.raw->client(), "bench.fan", raw_bytes.data(), int(raw_bytes.size()));
             }).messages_per_s;
    return measure(b.t(p).fanned, seconds, 1, copies, [&](int) { b.t(p).client().publish("fan", blob); })
        .messages_per_s;
  });
  std::printf("fan-out: one publisher, one topic, %d subscribers on %d connections (nodes), %s: deliveries k/s\n",
              b.s.subscribers, b.s.subscriber_connections, size_name(b.s.crowd_size).c_str());
  b.print(per_round, 1e3, "k msg/s");
  std::printf("    (raw: one NATS subscription per subscriber; Troupe: one per node and topic, handed to its\n"
              "     subscribers in the process)\n\n");
}

// ns per call of `op`, median of the rounds, one thread.
double ns_per(const settings& s, int n, const std::function<void()>& op) {
  std::vector<double> per_round;
  for (int r = -s.warmup_rounds; r < s.rounds; ++r) {
    auto t0 = clock_type::now();
    for (int i = 0; i < n; ++i)
      op();
    double ns = std::chrono::duration<double, std::nano>(clock_type::now() - t0).count() / n;
    if (r >= 0)
      per_round.push_back(ns);
  }
  return median(per_round);
}

caf::behavior tallying(caf::event_based_actor*, std::atomic<uint64_t>* seen) {
  return {[=](uint64_t) { ++*seen; }};
}

// Where a message's time goes: each stage of the send and receive paths alone, on one
// thread (hand-offs: to another), in ns per message.
void breakdown(bench& b) {
  if (b.troupe.empty() || !b.raw)
    return;
  auto& client = b.t(1).client();  // the first Troupe path
  auto ctx = client.make_context("breakdown");
  std::printf("where a message's time goes: each stage alone, ns per message, median of rounds\n");
  auto row = [](const char* what, double ns) { std::printf("    %-58s %8.0f ns\n", what, ns); };
  real_clock wall;
  row("the clock (deployment time, once per letter)", ns_per(b.s, 20000, [&] { (void) wall.now_ns(); }));
  for (size_t size : {size_t(64), size_t(1024)}) {
    auto blob = std::make_shared<msg::Blob>();
    blob->set_data(std::string(size, 'b'));
    auto l = ctx.prepare("sink", blob);
    std::string bytes, label = size_name(size);
    row(("a letter: trace context, clock, sequence, names (" + label + ")").c_str(),
        ns_per(b.s, 20000, [&] { (void) ctx.prepare("sink", blob); }));
    row(("envelope encode, " + label).c_str(), ns_per(b.s, 20000, [&] { encode_envelope(l, bytes); }));
    encode_envelope(l, bytes);
    row(("envelope decode (a new body), " + label).c_str(),
        ns_per(b.s, 20000, [&] { (void) decode_envelope(bytes.data(), bytes.size()); }));
    row(("raw nats.c publish to a subscriber (SendAsap: a send syscall), " + label).c_str(), ns_per(b.s, 20000, [&] {
          natsConnection_Publish(b.raw->client(), "bench.sink", bytes.data(), int(bytes.size()));
        }));
    auto subject = actor_subject("bench", "sink");
    row(("raw nats.c publish of that envelope to the Troupe actor, " + label).c_str(), ns_per(b.s, 20000, [&] {
          natsConnection_Publish(b.raw->client(), subject.c_str(), bytes.data(), int(bytes.size()));
        }));
    row(("Troupe send to an actor: all of the above, lookups, publish, " + label).c_str(),
        ns_per(b.s, 20000, [&] { ctx.send("sink", blob); }));
    // What tracing adds to each send and each receipt: its clock read is the row above.
    for (auto* extension : {".trace", ".jsonl"}) {
      auto path = b.s.trace_file + "-breakdown" + extension;
      std::remove(path.c_str());
      auto rec = trace_recorder::open(path, 1.0);
      std::string node = "bench-node";
      row(("a traced event, " + label + ", into a " + extension + " file (written 64 KiB at a time)").c_str(),
          ns_per(b.s, 20000, [&] { rec->record(trace_event::send, node, l, bytes.size(), 0); }));
      rec.reset();
      std::remove(path.c_str());
    }
  }
  std::atomic<uint64_t> seen{0};
  auto tally = client.system().spawn(tallying, &seen);
  row("hand-off to an idle CAF actor (enqueue, wake, run), round trip",
      ns_per(b.s, 5000, [&] {
        auto before = seen.load();
        caf::anon_send(tally, uint64_t(1));
        while (seen.load() == before)
          ;
      }));
  row("hand-off to a busy CAF actor, per message (bursts of 64)", ns_per(b.s, 500, [&] {
        auto before = seen.load();
        for (int i = 0; i < 64; ++i)
          caf::anon_send(tally, uint64_t(1));
        while (seen.load() < before + 64)
          ;
      }) / 64);
  caf::anon_send_exit(tally, caf::exit_reason::user_shutdown);
  std::printf("\n");
}

void print_settings(const settings& s) {
  std::printf("bus benchmark on %s: %d round(s) after %d warm-up, alternating which path goes first\n",
              s.nats_url.c_str(), s.rounds, s.warmup_rounds);
  std::printf("  CAF 0.17: scheduler %s, %zu worker thread(s) per node%s; %u cores\n", s.scheduler.c_str(),
              s.workers == 0 ? size_t(std::thread::hardware_concurrency()) : s.workers,
              s.workers == 0 ? " (one per core)" : "", std::thread::hardware_concurrency());
  std::printf("  nats.c %s, both paths: SendAsap on, pending limits off, one delivery thread per subscription\n",
              nats_GetVersion());
  std::printf("  Troupe's outbox: a letter within %d us of the last queues, runs to one subject go as one message%s\n",
              s.coalesce_us, s.coalesce_us == 0 ? " (off: each letter on its own)" : "");
  if (s.alone)
    std::printf("  alone: Troupe with its outbox off, every letter published on its own\n");
  if (s.observed)
    for (auto& f : s.trace_formats)
      std::printf("  observed (%s): flow metrics served and scraped every 1 s, trace sample %.2f, %s trace files\n",
                  f.c_str(), s.trace_sample, f.c_str());
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  std::vector<std::string> parts = {"breakdown", "rtt", "throughput", "many", "fanout"};
  CLI::App app{"Troupe bus benchmark: Troupe vs raw nats.c, side by side"};
  app.add_option("--rounds", s.rounds, "measured rounds per figure (default 5)");
  app.add_option("--warmup", s.warmup_rounds, "warm-up rounds, not kept (default 1)");
  app.add_option("--round-trips", s.round_trips, "requests per round (default 2000)");
  app.add_option("--rtt-sizes", s.rtt_sizes, "round-trip payloads in bytes (default 64)");
  app.add_option("--seconds", s.seconds, "seconds per throughput round (default 1)");
  app.add_option("--sizes", s.sizes, "one-way payloads in bytes (default 16 256 1024 4096 65536)");
  app.add_option("--senders", s.senders, "many to one: sender threads (default 32)");
  app.add_option("--subscribers", s.subscribers, "fan-out: subscribers (default 16)");
  app.add_option("--connections", s.sender_connections, "connections (nodes) the senders share (default 4)");
  app.add_option("--subscriber-connections", s.subscriber_connections,
                 "connections (nodes) the subscribers share (default 4)");
  app.add_option("--crowd-size", s.crowd_size, "many-to-one and fan-out payload in bytes (default 256)");
  app.add_option("--parts", parts, "breakdown rtt throughput many fanout (default all)");
  app.add_option("--nats", s.nats_url, "NATS url (default: an embedded nats-server)");
  app.add_option("--scheduler", s.scheduler, "CAF scheduler of the Troupe nodes: sharing or stealing")
      ->check(CLI::IsMember({"sharing", "stealing"}));
  app.add_option("--workers", s.workers, "CAF worker threads per node (default: one per core)");
  app.add_option("--only", s.only, "run one path (for a profiler): raw or troupe")->check(CLI::IsMember({"raw", "troupe"}));
  app.add_option("--coalesce-us", s.coalesce_us, "Troupe's outbox: queue a letter this soon after the last (0: off)")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--queue-kb", s.queue_kb, "Troupe's outbox: senders wait while this much is queued");
  app.add_option("--batch-kb", s.batch_kb, "Troupe's outbox: at most this much in one NATS message of several letters")
      ->check(CLI::Range(1, 65536));
  app.add_flag("--alone", s.alone, "add Troupe with its outbox off (each letter published on its own)");
  app.add_flag("--observed", s.observed,
               "add Troupe with metrics served and scraped and every envelope traced (issue 21's cost)");
  app.add_option("--trace-sample", s.trace_sample, "fraction of the observed path's traces recorded (0: no trace)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--trace-file", s.trace_file, "prefix of the observed path's trace files (removed at the end)");
  app.add_option("--trace-format", s.trace_formats,
                 "the observed path's trace format: binary (.trace, default) or jsonl; both: a path each")
      ->check(CLI::IsMember({"binary", "jsonl"}));
  CLI11_PARSE(app, argc, argv);

  std::unique_ptr<nats_server> server;
  if (s.nats_url.empty()) {
    server = std::make_unique<nats_server>();
    s.nats_url = server->url();
  }
  print_settings(s);
  bench b{s, {}, {}, {}};
  if (s.only != "troupe") {
    b.raw = std::make_unique<raw_path>(s);
    b.names.push_back("raw");
  }
  if (s.only != "raw") {
    b.troupe.push_back(std::make_unique<troupe_path>(s, "", false, s.coalesce_us));
    b.names.push_back("troupe");
    if (s.alone) {
      b.troupe.push_back(std::make_unique<troupe_path>(s, "-alone", false, 0));
      b.names.push_back("alone");
    }
    if (s.observed)
      for (auto& f : s.trace_formats) {
        auto name = s.trace_formats.size() == 1 ? std::string("observed") : "obs-" + f;
        b.troupe.push_back(std::make_unique<troupe_path>(s, "-" + name, true, s.coalesce_us, f == "jsonl" ? ".jsonl" : ".trace"));
        b.names.push_back(name);
      }
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the nodes hear each other

  auto wanted = [&](const char* part) { return std::find(parts.begin(), parts.end(), part) != parts.end(); };
  if (wanted("breakdown"))
    breakdown(b);
  if (wanted("rtt"))
    round_trip(b);
  if (wanted("throughput"))
    throughput(b);
  if (wanted("many"))
    many_to_one(b);
  if (wanted("fanout"))
    fan_out(b);

  std::printf("slow-consumer drops:");
  for (size_t p = 0; p < b.paths(); ++p)
    std::printf(" %s %ld", b.names[p].c_str(), b.is_raw(p) ? long(b.raw->dropped()) : long(b.t(p).dropped()));
  std::printf("\n");
  for (size_t p = 0; p < b.paths(); ++p)
    if (!b.is_raw(p)) {
      auto [batches, letters] = b.t(p).batches();
      std::printf("%s: %lu letters went in %lu batches\n", b.names[p].c_str(), (unsigned long) letters,
                  (unsigned long) batches);
    }
  std::vector<std::string> trace_files;
  for (size_t p = 0; p < b.paths(); ++p)
    if (!b.is_raw(p)) {
      if (b.t(p).scrapes() > 0)
        std::printf("%s path scraped %lu times\n", b.names[p].c_str(), (unsigned long) b.t(p).scrapes());
      trace_files.insert(trace_files.end(), b.t(p).trace_files().begin(), b.t(p).trace_files().end());
    }
  b.troupe.clear();
  for (auto& f : trace_files)
    std::remove(f.c_str());
  return 0;
}
