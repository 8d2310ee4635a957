// Runs the actors that letters off the bus woke on the NATS delivery thread that
// decoded them, instead of waking a CAF worker for each: a hand-off between threads
// costs tens of microseconds on a small VM, more than decoding and handling a small
// message together (docs/benchmarks.md, "where a message's time goes"). An actor idle
// when its letter came runs here until its mailbox is empty or it has handled
// `arrival_share` messages, then goes back to the workers; whatever it schedules in turn
// (sends to other actors, timers) goes to the workers as before. Detached actors keep
// their own threads. The thread runs at the workers' niceness, so that actors' work
// still yields to heartbeats. One per subscription, used by its delivery thread only.
#pragma once

#include <cstddef>
#include <vector>

#include <caf/actor.hpp>
#include <caf/execution_unit.hpp>

#include "actors/runtime/letter.hpp"

namespace troupe::detail {

constexpr size_t arrival_share = 64;

class delivery_unit final : public caf::execution_unit {
 public:
  delivery_unit(caf::actor_system& sys, int worker_nice);

  // Puts `l` in `to`'s mailbox; if that makes `to` ready, it runs at run_ready().
  void enqueue(const caf::actor& to, letter l);
  // Runs every actor made ready here, each until it waits or has had its share.
  void run_ready();

  void exec_later(caf::resumable* job) override;

 private:
  std::vector<caf::resumable*> ready_;
  bool running_ = false;
  bool niced_ = false;
  int worker_nice_;
};

}  // namespace troupe::detail
