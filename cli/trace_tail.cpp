#include "cli/trace_tail.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/bus/bus_connection.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/letter.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/trace/trace_recorder.hpp"

namespace troupe {

namespace {

bool wanted(const letter& l, const tail_options& o) {
  if (!o.actor.empty() && l.sender != o.actor && l.receiver != o.actor)
    return false;
  return o.type.empty() || l.type.find(o.type) != std::string::npos;
}

std::string clock_text(int64_t ns) {
  std::time_t secs = ns / 1000000000;
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%06ld", buf, (long) ((ns / 1000) % 1000000));
  return out;
}

}  // namespace

int tail_trace(const tail_options& o) {
  install_stop_signals();
  std::shared_ptr<trace_recorder> recorder;
  if (!o.record_file.empty())
    recorder = trace_recorder::open(o.record_file, 1.0);
  bus_options bo;
  bo.url = o.nats_url;
  bo.client_name = "troupe-trace";
  auto deployment = o.deployment;
  if (!o.credentials.empty()) {
    auto who = read_credential(o.credentials);
    connect_as(bo, who);
    deployment = deployment.empty() ? who.deployment : deployment;  // its identity reads that one only
  }
  bus_connection bus(bo);
  std::atomic<long> shown{0}, garbage{0};
  auto subject = deployment.empty() ? std::string("troupe.>") : deployment_wildcard(deployment);
  auto show = [&](const char* subj, const char* data, size_t size) {
    auto header = decode_header(data, size);
    if (!header) {
      ++garbage;
      spdlog::warn("{}: {} bytes that are not an envelope", subj, size);
      return;
    }
    auto& l = *header;
    if (!wanted(l, o) || (o.max_count > 0 && shown >= o.max_count))
      return;
    ++shown;
    auto to = l.topic.empty() ? l.receiver : "#" + l.topic;
    if (to.empty())
      to = subj;
    log::result(fmt::format("{} {} → {} {} {} B trace {}", clock_text(l.send_time_ns), l.sender, to, l.type, size,
                            l.trace.trace_id_hex()));
    if (recorder)
      recorder->record(trace_event::recv, "trace", l, size, l.send_time_ns);
  };
  bus.subscribe(subject, [&](const char* subj, const char* data, int size) {
    if (!for_each_envelope(data, size_t(size), [&](const char* envelope, size_t n) { show(subj, envelope, n); })) {
      ++garbage;
      spdlog::warn("{}: a batch of {} bytes whose framing is broken", subj, size);
    }
  });
  auto start = std::chrono::steady_clock::now();
  while (!stop_requested() && (o.max_count == 0 || shown < o.max_count)) {
    if (o.duration_s > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= o.duration_s)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  spdlog::info("trace: {} envelopes shown, {} non-envelopes seen", shown.load(), garbage.load());
  return 0;
}

}  // namespace troupe
