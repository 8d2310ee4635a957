// One direction of a shaped network interface — a node's uplink or downlink — as tc's
// tbf shapes it: every flow through the interface shares its rate; a bucket of `burst`
// bytes of tokens lets an idle interface send that much at once; a message that would
// fill the queue past its bound is dropped (tail drop) and counted. A message that
// finds the queue empty is taken whatever its size (the head of a TCP stream is never
// refused). Pure: deployment times in, departure times out.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "actors/runtime/emulation/link_model.hpp"
#include "actors/runtime/emulation/tbf.hpp"

namespace troupe {

class token_bucket {
 public:
  // `trace`, when given, replaces the settings' rate over time (and a latency bound follows
  // it), starting `trace_offset_s` into the trace.
  explicit token_bucket(tbf_settings settings, std::vector<bandwidth_sample> trace = {}, double trace_offset_s = 0);

  // When the last byte of `bytes`, handed over at deployment time `now_s`, has left;
  // nullopt when the queue would exceed its bound (the message is dropped).
  std::optional<double> departure_s(double now_s, double bytes);

  struct counters {
    uint64_t messages = 0, dropped = 0;
    double bytes = 0, dropped_bytes = 0;
  };
  const counters& counts() const { return counts_; }
  // How long a message handed over at `now_s` would wait behind the queue.
  double backlog_s(double now_s) const { return free_at_s_ > now_s ? free_at_s_ - now_s : 0; }
  const tbf_settings& settings() const { return tbf_; }
  // The rate the interface offers at deployment time `now_s` (a trace's, or the settings').
  double rate_mbps_at(double now_s) const { return rate_.bandwidth_mbps_at(now_s); }

 private:
  tbf_settings tbf_;
  link_model rate_;           // the interface's rate over time, no latency
  double free_at_s_ = 0;      // the queue is empty from then on
  double tokens_at_free_;     // tokens in the bucket then
  counters counts_;
};

}  // namespace troupe
