#include "actors/runtime/detail/delivery_unit.hpp"

#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

#include "actors/runtime/thread_nice.hpp"

namespace troupe::detail {

delivery_unit::delivery_unit(caf::actor_system& sys, int worker_nice)
    : caf::execution_unit(&sys), worker_nice_(worker_nice) {}

void delivery_unit::enqueue(const caf::actor& to, letter l) {
  to->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {}, std::move(l)), this);
}

void delivery_unit::exec_later(caf::resumable* job) {
  if (running_)  // scheduled by an actor running here: the workers take it
    system().scheduler().enqueue(job);
  else
    ready_.push_back(job);
}

void delivery_unit::run_ready() {
  if (ready_.empty())
    return;
  if (!niced_) {
    nicer_this_thread(worker_nice_);
    niced_ = true;
  }
  running_ = true;
  auto& workers = system().scheduler();
  // An actor that others keep busy gets at most a burst's worth here, then the workers
  // take it: the subscription's other receivers are not kept waiting behind it.
  auto share = std::min(workers.max_throughput(), arrival_share);
  for (auto* job : ready_) {
    switch (job->resume(this, share)) {
      case caf::resumable::resume_later:  // more than its share: the reference goes with it
        workers.enqueue(job);
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
        caf::intrusive_ptr_release(job);  // the reference its enqueue took
        break;
      case caf::resumable::shutdown_execution_unit:
        break;
    }
  }
  ready_.clear();
  running_ = false;
}

}  // namespace troupe::detail
