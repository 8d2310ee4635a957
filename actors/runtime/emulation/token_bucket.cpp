#include "actors/runtime/emulation/token_bucket.hpp"

#include <algorithm>

namespace troupe {

namespace {

// The interface's rate alone: a trace's latency column belongs to links (a tbf queue
// has no propagation delay), and taken here it would hold the interface busy for the
// latency after every message.
link_model rate_of(const tbf_settings& t, std::vector<bandwidth_sample> trace, double offset_s) {
  if (trace.empty())
    return link_model(t.rate_bytes_s * 8 / 1e6, 0);
  for (auto& s : trace)
    s.latency_ms = -1;
  return link_model(std::move(trace), 0, offset_s);
}

}  // namespace

token_bucket::token_bucket(tbf_settings settings, std::vector<bandwidth_sample> trace, double trace_offset_s)
    : tbf_(settings), rate_(rate_of(settings, std::move(trace), trace_offset_s)), tokens_at_free_(settings.burst_bytes) {}

std::optional<double> token_bucket::departure_s(double now_s, double bytes) {
  double start = now_s;
  double to_send = bytes;
  if (now_s >= free_at_s_) {  // idle: the bucket filled meanwhile, up to its size
    double tokens = std::min(tbf_.burst_bytes, tokens_at_free_ + rate_.bytes_between(free_at_s_, now_s));
    double at_once = std::min(tokens, bytes);
    to_send -= at_once;
    tokens_at_free_ = tokens - at_once;
  } else {  // busy: behind what is queued, if the queue can hold it
    double queued = rate_.bytes_between(now_s, free_at_s_);
    if (queued + bytes > tbf_.limit_at(rate_.bandwidth_mbps_at(now_s) * 1e6 / 8)) {
      ++counts_.dropped;
      counts_.dropped_bytes += bytes;
      return std::nullopt;
    }
    start = free_at_s_;
    tokens_at_free_ = 0;
  }
  free_at_s_ = to_send > 0 ? start + rate_.transfer_time_s(to_send, start) : start;
  if (to_send > 0)
    tokens_at_free_ = 0;
  ++counts_.messages;
  counts_.bytes += bytes;
  return free_at_s_;
}

}  // namespace troupe
