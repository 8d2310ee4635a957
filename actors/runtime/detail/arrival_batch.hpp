// Letters that arrived on one subscription, held while nats.c has more queued behind
// them and handed on together once it has none (or `most` are held): the receiving
// actor is woken once per burst instead of once per letter, and its handle looked up
// once. Only that subscription's delivery thread touches it.
#pragma once

#include <cstddef>
#include <vector>

#include "actors/runtime/letter.hpp"

namespace troupe::detail {

class arrival_batch {
 public:
  static constexpr size_t most = 64;  // bounds what a burst holds back

  // Holds `l`; true when the batch is full and must be handed on now.
  bool hold(letter l) {
    held_.push_back(std::move(l));
    return held_.size() >= most;
  }
  // Hands every held letter, in arrival order, to `deliver(letter*, n)` and forgets them.
  template <class Deliver>
  void hand_on(Deliver&& deliver) {
    if (held_.empty())
      return;
    deliver(held_.data(), held_.size());
    held_.clear();  // keeps the capacity for the next burst
  }
  bool empty() const { return held_.empty(); }

 private:
  std::vector<letter> held_;
};

}  // namespace troupe::detail
