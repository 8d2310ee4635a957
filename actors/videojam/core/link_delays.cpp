#include "actors/videojam/core/link_delays.hpp"

#include <algorithm>

namespace troupe::videojam {

void link_delays::sent(const std::string& to, int64_t at_ns) {
  auto& l = links_[to];
  if (l.unanswered_ns < 0)
    l.unanswered_ns = at_ns;
}

void link_delays::echoed(const std::string& from, int64_t sent_ns, int64_t now_ns) {
  auto& l = links_[from];
  l.ms = double(now_ns - sent_ns) / 2e6;
  l.echoed_ns = now_ns;
  if (l.unanswered_ns >= 0 && l.unanswered_ns <= sent_ns)
    l.unanswered_ns = -1;
}

std::map<std::string, double> link_delays::now(int64_t now_ns, int64_t max_age_ns) const {
  std::map<std::string, double> out;
  for (auto& [to, l] : links_) {
    bool in_flight = l.unanswered_ns >= 0;
    if (l.echoed_ns < 0 || (now_ns - l.echoed_ns > max_age_ns && !in_flight))
      continue;  // never measured, or nothing recent speaks for it
    out[to] = std::max(l.ms, in_flight ? double(now_ns - l.unanswered_ns) / 2e6 : 0.0);
  }
  return out;
}

}  // namespace troupe::videojam
