// The inside of a node, shared by the node object, its contexts and its system
// actors: the bus connection, local names, topics, pending requests, the directory
// of remote actors, watchers and counters. Not part of the public API.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/expected.hpp>

#include "actors/runtime/bus/bus_connection.hpp"
#include "actors/runtime/bus/outbox.hpp"
#include "actors/runtime/detail/arrival_batch.hpp"
#include "actors/runtime/emulation/clock.hpp"
#include "actors/runtime/actor_failure.hpp"
#include "actors/runtime/bus/directory.hpp"
#include "actors/runtime/emulation/link_shaper.hpp"
#include "actors/runtime/bus/envelope_codec.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "actors/runtime/bus/silence_horizon.hpp"
#include "actors/runtime/letter.hpp"
#include "actors/runtime/metrics/flow_counters.hpp"
#include "actors/runtime/metrics/registry.hpp"
#include "actors/runtime/node_config.hpp"
#include "actors/runtime/restart_policy.hpp"
#include "actors/runtime/trace/input_log.hpp"
#include "actors/runtime/trace/trace_recorder.hpp"

namespace troupe {

class node_core : public std::enable_shared_from_this<node_core> {
 public:
  using reply_callback = std::function<void(caf::expected<letter>)>;

  node_core(node_config cfg, caf::actor_system& sys);
  ~node_core();

  // Connects, subscribes to system subjects, says hello. Throws on failure.
  void start();
  // graceful: announce every actor down and the node gone; else vanish silently.
  void shutdown(bool graceful);
  // Asks every local actor to exit (also those adopted while shutting down).
  void stop_locals();

  // -- messaging ----------------------------------------------------------------
  letter make_letter(const std::string& sender, message_ptr body, const letter* cause,
                     std::atomic<uint64_t>& sequence) const;
  caf::error dispatch(letter l);
  // Hands `l` to the local actor `name` as if it had come off the bus (`troupe replay`).
  void inject(const std::string& name, letter l) { deliver_to_actor(name, std::move(l)); }
  // Sends a request; cb runs exactly once, on any thread (reply, error or forget()).
  void request(letter l, reply_callback cb);
  caf::error reply(const letter& request, const std::string& sender, message_ptr body,
                   std::atomic<uint64_t>& sequence);
  void forget(uint64_t correlation_id, caf::error why);
  uint64_t next_correlation_id() { return ++correlation_; }

  // -- names ---------------------------------------------------------------------
  caf::error reserve(const std::string& name);
  void adopt(const std::string& name, const std::string& kind, caf::actor a);
  void release(const std::string& name);
  caf::actor local(const std::string& name) const;
  std::vector<std::string> local_names() const;

  caf::error subscribe(const std::string& topic, caf::actor actor);
  void monitor(const std::string& actor, caf::actor watcher);

  // -- failures: actors of the deployment that crashed or could not be spawned ---------
  // Records a spawn failure of a local actor and tells every node.
  void spawn_failed(const std::string& actor, const std::string& kind, const std::string& reason);
  std::vector<actor_failure> failures() const;

  // -- supervision: local actors restarted by their policy -------------------------------
  // From now on `name`'s ends go through its policy (kept across its restarts); a
  // restart calls respawn(name, delay_ms), on the exiting actor's thread.
  void supervise(const std::string& name, const restart_spec& spec);
  void unsupervise(const std::string& name);  // stopped on request: no restart
  std::function<void(const std::string&, int)> respawn;
  std::vector<std::string> restarts() const;  // one line each

  // -- liveness: the node's own thread, so that work never starves it ------------------
  void heartbeat();
  void check_liveness();

  // -- state -----------------------------------------------------------------------
  const node_config cfg;
  const uint64_t incarnation;
  caf::actor_system& sys;
  std::shared_ptr<clock> time;
  directory dir;
  caf::actor bridge;

  struct counters {
    std::atomic<uint64_t> sent_local{0}, sent_remote{0}, received{0};
    std::atomic<uint64_t> bytes_sent{0}, bytes_received{0}, publish_errors{0};
    std::atomic<uint64_t> nodes_declared_down{0}, nodes_suspected{0};
    std::atomic<uint64_t> heartbeats_sent{0}, heartbeats_heard{0};  // heard: other nodes' only
    std::atomic<int64_t> liveness_lag_max_ns{0};  // wall clock ahead of silence_horizon, at most
    std::atomic<uint64_t> undeliverable{0};  // arrived for an actor that had just exited
    std::atomic<uint64_t> unknown_receiver{0};  // sends refused: no such actor known
    std::array<std::atomic<uint64_t>, decode_failure_kinds> dropped{};
    std::array<std::atomic<uint64_t>, refusal_kinds> refused{};
  } counts;
  metrics::registry metrics;  // what the node's actors measure (context::metrics)
  // Counts a message that decoded but is not obeyed, and logs the first of each cause.
  void refuse(refusal why, const letter& l, const std::string& detail);
  // Whether spawn and stop requests from this node are obeyed.
  bool may_control(const std::string& node) const;
  bus_connection* bus() { return bus_.get(); }
  const outbox* bus_outbox() const { return out_.get(); }
  bus_connection* liveness_bus() { return liveness_bus_.get(); }
  bool running() const { return running_; }

  // The shaped interfaces' counts, kept once the node has stopped.
  struct network_counts {
    link_shaper::interface_counts uplink, downlink;
    link_shaper::cut_counts cuts;
  };
  network_counts network() const;
  interface_rates offered_rates() const;  // none once the node has stopped

 private:
  metrics::flow_counters flows_{metrics};  // per sender and receiver, on every send
  // The types an actor acts on (its kind's kind_spec::accepts), looked up once when it
  // is adopted; null: any.
  using type_list = std::vector<std::string>;
  static bool admits(const type_list* accepts, const std::string& type);
  struct local_actor {
    caf::actor handle;
    std::string kind;
    uint64_t subscription = 0;
    const type_list* accepts = nullptr;
  };
  struct subscriber {
    caf::actor handle;
    const type_list* accepts = nullptr;
    std::string name;  // the local actor's, for the input log; empty for a handle of no name
  };
  struct topic_state {
    uint64_t subscription = 0;
    std::vector<subscriber> subscribers;
  };

  // `peer`: the receiving node, whose emulated link (if any) the envelope takes after
  // this node's uplink; "" for a topic (the uplink only); nullopt for the runtime's own
  // announcements, which no emulated network delays or drops.
  // `via`: the connection it leaves on (nullptr: the node's main one).
  caf::error publish_letter(const std::string& subject, const letter& l,
                            const std::optional<std::string>& peer = std::nullopt, bus_connection* via = nullptr);
  // What arrives for an actor or a topic is held in the subscription's batch while more
  // is queued behind it, and handed on when none is (arrival_batch.hpp).
  template <class Deliver>
  uint64_t subscribe_arrivals(const std::string& subject, Deliver deliver);
  template <class Deliver>
  void arrived(letter l, int size, detail::arrival_batch& batch, Deliver deliver);
  // `unit`: where the woken actors run (nullptr: CAF's workers).
  void deliver_to_actor(const std::string& name, letter* first, size_t n, detail::delivery_unit* unit);
  void deliver_to_actor(const std::string& name, letter l) { deliver_to_actor(name, &l, 1, nullptr); }
  void deliver_to_topic(const std::string& topic, const letter* first, size_t n, detail::delivery_unit* unit);
  void on_reply_subject(const char* data, int size);
  void on_sys_subject(const char* subject, const char* data, int size);
  void on_announcement(const char* subject, const letter& l);
  std::optional<letter> decode(const char* data, int size);
  // Each envelope a NATS message carries (one, or a batch's), decoded; a batch whose
  // framing is broken is counted as garbage.
  template <class Each>
  void decode_each(const char* data, int size, Each each);
  void dropped(decode_failure kind, int size);
  void complete(uint64_t correlation_id, caf::expected<letter> result);
  void record(trace_event event, const letter& l, size_t bytes);
  void announce(message_ptr body, const std::string& what);
  void say_hello(bool want_reply);
  void tell_watchers(const actor_loss& loss);
  letter down_letter(const actor_loss& loss) const;
  void local_exit(const std::string& name, const caf::error& reason);
  // What an exit means once the actor's policy decided (a restart is not a crash), and
  // the delay of its restart, if it is restarted.
  std::pair<std::string, std::optional<int>> supervised_exit(const std::string& name, const std::string& reason);
  int64_t silence_limit_ns() const;
  void liveness_loop();
  void watch_connection(bus_connection& bus, bool main);

  std::unique_ptr<bus_connection> bus_;
  std::unique_ptr<outbox> out_;  // what is published on bus_
  // Heartbeats travel on a connection of their own: on the main one they waited in the
  // server's queue and nats.c's reader behind every frame the node receives. Hellos
  // stay on the main one: a roster must not overtake the actor up/down news before it.
  static constexpr const char* liveness_announcements[] = {"heartbeat"};
  std::unique_ptr<bus_connection> liveness_bus_;
  std::thread liveness_;
  std::mutex liveness_mtx_;
  std::condition_variable liveness_cv_;
  // Set when the node has emulated links. Senders, arrivals and readers of its rates
  // take a copy (atomically) for the call; shutdown takes it away and destroys it once
  // no call holds it, so no call ever meets a destroyed shaper.
  std::shared_ptr<link_shaper> links_;
  // Whether it was ever set: a node without emulated links (most) skips the atomic
  // load, which takes a lock, on every send and arrival.
  bool shaped_ = false;
  std::shared_ptr<link_shaper> links() const { return shaped_ ? std::atomic_load(&links_) : nullptr; }
  network_counts network_at_stop_;
  std::shared_ptr<trace_recorder> recorder_;
  std::unique_ptr<input_log> inputs_;  // `troupe run --record`: what each local actor received
  std::atomic<bool> running_{false};
  std::atomic<bool> announce_exits_{true};
  bool bus_open_ = true;  // under roster_mtx_: an actor that ends after the node closed its
                          // bus is not announced (its node's node_down said it)
  std::atomic<int64_t> quiet_until_ns_{0};  // no peer is declared down before this
  std::atomic<int64_t> own_heard_sent_ns_{0};  // our latest heartbeat heard back: silence_horizon.hpp
  std::mutex echo_mtx_;
  echo_delays echoes_{std::chrono::duration_cast<std::chrono::nanoseconds>(cfg.heartbeat_delay_window).count()};
  std::atomic<uint64_t> correlation_{0};
  mutable std::atomic<uint64_t> sys_sequence_{0};
  size_t max_bytes_ = 0;
  std::string reply_subject_;

  mutable std::mutex mtx_;
  std::unordered_map<std::string, local_actor> locals_;
  std::unordered_map<std::string, topic_state> topics_;
  std::unordered_map<std::string, std::vector<caf::actor>> watchers_;

  std::mutex pending_mtx_;
  std::unordered_map<uint64_t, reply_callback> pending_;

  std::mutex topic_creation_mtx_;  // one NATS subscription per topic, made outside mtx_
  // A hello's roster is taken and published in one step against actor_up/down, so a
  // roster taken before an actor came (or went) is never published after its news:
  // the others would apply the stale roster last and forget (or resurrect) it.
  std::mutex roster_mtx_;

  void record_failure(actor_failure f);

  mutable std::mutex supervision_mtx_;
  std::unordered_map<std::string, restart_tracker> supervised_;
  std::vector<std::string> restarts_;

  mutable std::mutex failures_mtx_;
  std::vector<actor_failure> failures_;

  std::mutex warned_mtx_;
  std::array<bool, decode_failure_kinds> warned_{};
  std::array<bool, refusal_kinds> warned_refusal_{};
};

}  // namespace troupe
