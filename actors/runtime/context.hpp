// An actor's handle on the deployment: its name, and the calls to send, publish,
// request, reply, subscribe, monitor and take time — the same whether the other side
// is on this node (CAF) or another one (NATS).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <type_traits>

#include <caf/actor.hpp>
#include <caf/error.hpp>
#include <caf/timespan.hpp>

#include "actors/runtime/atoms.hpp"
#include "actors/runtime/emulation/interface_rates.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "actors/runtime/letter.hpp"

namespace troupe {

class node_core;
class clock;
namespace metrics {
class registry;
}

template <class T>
using if_message = std::enable_if_t<std::is_base_of_v<google::protobuf::Message, T>, int>;

class context {
 public:
  context() = default;
  context(std::shared_ptr<node_core> core, std::string name);

  const std::string& name() const { return name_; }
  const std::string& node_name() const;
  const std::string& deployment() const;

  // `cause`: the letter being handled, if any; the new message joins its trace.
  caf::error send(const std::string& to, message_ptr body, const letter* cause = nullptr) const;
  caf::error publish(const std::string& topic, message_ptr body,
                     const letter* cause = nullptr) const;
  caf::error reply(const letter& request, message_ptr body) const;
  // A send that an emulated link cuts (errc::link_cut) rather than deliver after
  // `deadline_ns` (deployment time, as now_ns()): an upload that must finish in time.
  caf::error send_by(const std::string& to, message_ptr body, int64_t deadline_ns, const letter* cause = nullptr) const;

  template <class T, if_message<T> = 0>
  caf::error send(const std::string& to, T msg, const letter* cause = nullptr) const {
    return send(to, std::make_shared<T>(std::move(msg)), cause);
  }
  template <class T, if_message<T> = 0>
  caf::error send_by(const std::string& to, T msg, int64_t deadline_ns, const letter* cause = nullptr) const {
    return send_by(to, std::make_shared<T>(std::move(msg)), deadline_ns, cause);
  }
  template <class T, if_message<T> = 0>
  caf::error publish(const std::string& topic, T msg, const letter* cause = nullptr) const {
    return publish(topic, std::make_shared<T>(std::move(msg)), cause);
  }
  template <class T, if_message<T> = 0>
  caf::error reply(const letter& request, T msg) const {
    return reply(request, std::make_shared<T>(std::move(msg)));
  }

  // Asks `to` and hands its reply letter (or an error, e.g. errc::request_timeout)
  // to the returned handle's then(). `timeout` is deployment time.
  template <class Self>
  auto request(Self* self, const std::string& to, message_ptr body, caf::timespan timeout,
               const letter* cause = nullptr) const {
    return self->request(bridge(), wall(timeout) + std::chrono::seconds(1), request_atom::value,
                         prepare(to, std::move(body), cause), timeout);
  }

  // A letter from this actor to `to`, with trace, time and sequence set, not yet sent.
  letter prepare(const std::string& to, message_ptr body, const letter* cause = nullptr) const;

  // Whether an actor of this name runs here or is known to run elsewhere.
  bool knows(const std::string& actor) const;

  // A letter this actor does not obey: counted by the node under `why` (its report
  // line), the first of each cause logged. Nothing on the bus is obeyed because it parses.
  void refuse(const letter& l, refusal why, const std::string& detail = {}) const;
  // Whether the node obeys spawn and stop requests from `node`.
  bool may_control(const std::string& node) const;

  caf::error subscribe(const std::string& topic, const caf::actor& self) const;
  // `self` receives a letter with a troupe.msg.ActorDown body when `actor` exits,
  // crashes, or its node is declared down.
  void monitor(const std::string& actor, const caf::actor& self) const;

  int64_t now_ns() const;
  // The node's metrics, which a scrape writes out with the node's name (docs/metrics.md).
  metrics::registry& metrics() const;
  // runtime.worker_nice: how much nicer than the process a kind's own worker threads
  // run (thread_nice.hpp); runtime.source_nice: how much nicer again an emulated
  // source's thread runs.
  int worker_nice() const;
  int source_nice() const;
  bool source_idle() const;  // runtime.source_idle: sources run SCHED_IDLE
  // What this node's shaped interfaces offer now.
  interface_rates offered_rates() const;
  caf::timespan wall(caf::timespan d) const;  // deployment time → wall-clock time
  const troupe::clock& time() const;          // the node's: both of the above
  template <class Self, class... Ts>
  void after(Self* self, caf::timespan d, Ts&&... xs) const {
    self->delayed_send(self, wall(d), std::forward<Ts>(xs)...);
  }

 private:
  caf::actor bridge() const;

  std::shared_ptr<node_core> core_;
  std::string name_;
  std::shared_ptr<std::atomic<uint64_t>> sequence_;
};

}  // namespace troupe
