// One-way delays to the replicas a replica probes (OctoCross's network view, Distream's
// slack test), as of now: half the round trip of the last echo, but never less than
// half the age of the oldest probe still unanswered; unknown until the first echo, and
// forgotten once neither a recent echo nor a probe in flight speaks for the link. A
// congested uplink drops probes first: without the floor the link would keep its last
// good delay.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace troupe::videojam {

class link_delays {
 public:
  void sent(const std::string& to, int64_t at_ns);
  // An echo of the probe sent at `sent_ns` came back at `now_ns`: it answers every
  // probe sent to `from` no later than it (the earlier ones were lost).
  void echoed(const std::string& from, int64_t sent_ns, int64_t now_ns);
  // Delay in ms to each link echoed within `max_age_ns`, or echoed once and probed since.
  std::map<std::string, double> now(int64_t now_ns, int64_t max_age_ns) const;

 private:
  struct link {
    double ms = 0;
    int64_t echoed_ns = -1;     // when the last echo came; −1: none yet
    int64_t unanswered_ns = -1;  // the oldest probe in flight; −1: none
  };
  std::map<std::string, link> links_;
};

}  // namespace troupe::videojam
