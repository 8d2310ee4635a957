// A network interface shaped the way `tc qdisc add dev ... tbf` shapes one: a bucket
// of `burst` bytes of tokens refilled at `rate`, in front of a queue that holds at most
// `limit` bytes (`latency L` means limit = rate × L + burst, as in tc). The papers'
// settings can be written as they printed them: "rate 1gbit burst 16kbit latency 10ms".
#pragma once

#include <string>

namespace troupe {

struct tbf_settings {
  double rate_bytes_s = 0;
  double burst_bytes = 0;
  double limit_bytes = -1;  // from `limit`; < 0: from `latency`
  double latency_s = -1;    // from `latency`; < 0: from `limit`

  // The queue bound at `rate_bytes_s` (a trace may change the rate; a latency bound
  // follows it as tc's would be recomputed).
  double limit_at(double rate_bytes_s) const;
};

// Parses tc tbf's words with tc's units (tc(8)): rates in bit, kbit, mbit, gbit, tbit
// (×1000) or bps, kbps, mbps, gbps (bytes); sizes in b, k/kb, m/mb, g/gb (×1024 bytes)
// or kbit, mbit, gbit; times in s, ms, us. `rate`, `burst` and one of `latency` or
// `limit` are required, as tc requires them. Throws std::runtime_error saying what is
// wrong.
tbf_settings parse_tbf(const std::string& text);

}  // namespace troupe
