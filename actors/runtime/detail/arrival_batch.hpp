// Letters that arrived on one subscription, held while nats.c has more queued behind
// them and handed on together once it has none (or `most` are held): their actors' handles
// are looked up once per burst, and the actors they woke run once for the burst, on
// this delivery thread (delivery_unit.hpp). Only that subscription's delivery thread
// touches it.
#pragma once

#include <cstddef>
#include <vector>

#include "actors/runtime/detail/delivery_unit.hpp"
#include "actors/runtime/letter.hpp"

namespace troupe::detail {

class arrival_batch {
 public:
  static constexpr size_t most = 64;  // bounds what a burst holds back

  arrival_batch(caf::actor_system& sys, int worker_nice) : unit_(sys, worker_nice) {}

  // Holds `l`; true when the batch is full and must be handed on now.
  bool hold(letter l) {
    held_.push_back(std::move(l));
    return held_.size() >= most;
  }
  // Hands every held letter, in arrival order, to `deliver(letter*, n, unit)`, forgets
  // them, and runs the actors they woke.
  template <class Deliver>
  void hand_on(Deliver&& deliver) {
    if (held_.empty())
      return;
    deliver(held_.data(), held_.size(), &unit_);
    held_.clear();  // keeps the capacity for the next burst
    unit_.run_ready();
  }

 private:
  std::vector<letter> held_;
  delivery_unit unit_;
};

}  // namespace troupe::detail
