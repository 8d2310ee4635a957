// The sink's books on a camera's segments: what the camera says it sent (and whether
// its upload was cut) paired with what the server made of it, in either order. A
// segment settles when its fate is known — cut at the camera, or sent and labelled —
// and what has not settled by the end was in flight. Pure: the sink acts on what this
// returns.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace troupe::penance {

// Labels is anything the server says of a segment; `lost(sent)` says the camera's word
// settles it alone (its upload was cut, or lost on the way).
template <class Sent, class Labels>
class segment_books {
 public:
  explicit segment_books(std::function<bool(const Sent&)> lost) : lost_(std::move(lost)) {}

  using key = std::pair<std::string, uint64_t>;  // camera, segment
  struct settled {
    Sent sent;
    std::optional<Labels> labels;  // none when the camera's word settled it
  };

  std::optional<settled> sent(const key& k, const Sent& s) {
    if (done_.count(k))
      return std::nullopt;  // announced twice: the first counts
    if (lost_(s))
      return close(k, s, std::nullopt);
    if (auto l = labels_.find(k); l != labels_.end())
      return close(k, s, l->second);
    sent_.emplace(k, s);
    return std::nullopt;
  }

  std::optional<settled> labelled(const key& k, const Labels& l) {
    if (done_.count(k))
      return std::nullopt;  // e.g. the server's word on a segment the camera cut
    if (auto s = sent_.find(k); s != sent_.end())
      return close(k, s->second, l);
    labels_.emplace(k, l);
    return std::nullopt;
  }

  // Sent and not yet labelled: in flight.
  size_t in_flight() const { return sent_.size(); }
  // Labels of segments no camera announced.
  size_t orphans() const { return labels_.size(); }

 private:
  // `s` and `l` may be the books' own entries: copied before they are erased.
  settled close(const key& k, const Sent& s, std::optional<Labels> l) {
    settled out{s, std::move(l)};
    sent_.erase(k);
    labels_.erase(k);
    done_.insert(k);
    return out;
  }

  std::function<bool(const Sent&)> lost_;
  std::map<key, Sent> sent_;
  std::map<key, Labels> labels_;
  std::set<key> done_;
};

}  // namespace troupe::penance
