// A node: one CAF actor_system plus one NATS connection. Spawn actors by kind or
// from a function, send, publish, request and monitor by name.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/expected.hpp>

#include "actors/runtime/actor_failure.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "actors/runtime/context.hpp"
#include "actors/runtime/node_config.hpp"
#include "actors/runtime/params.hpp"
#include "actors/runtime/restart_policy.hpp"

namespace troupe {

namespace metrics {
class registry;
}

struct node_stats {
  uint64_t sent_local = 0, sent_remote = 0, received = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;
  uint64_t publish_errors = 0;
  uint64_t bus_batches = 0, bus_batched_letters = 0;  // NATS messages of several letters sent, and their letters
  uint64_t dropped_garbage = 0, dropped_wrong_version = 0, dropped_unknown_type = 0;
  uint64_t dropped_bad_payload = 0, dropped_oversized = 0;
  int64_t slow_consumer_drops = 0;
  uint64_t nodes_declared_down = 0;
  uint64_t nodes_suspected = 0;  // silent past the limit and probed (declared down only if still silent)
  uint64_t heartbeats_sent = 0, heartbeats_heard = 0;  // heard: from the other nodes
  int64_t liveness_lag_max_ms = 0;  // the most our own heartbeats came back late: silence not counted
  uint64_t undeliverable = 0;  // arrived for a local actor that had just exited
  uint64_t unknown_receiver = 0;  // sends refused because no actor of that name was known
  std::array<uint64_t, refusal_kinds> refused{};  // decoded but not obeyed, by refusal
  uint64_t permission_denied = 0;  // publishes and subscriptions the server's permissions refused
  // The node's shaped interfaces (uplink, downlink): messages through and dropped at the queue bound.
  bool uplink_shaped = false, downlink_shaped = false;
  uint64_t uplink_messages = 0, uplink_dropped = 0, downlink_messages = 0, downlink_dropped = 0;
  double uplink_bytes = 0, downlink_bytes = 0;
  double uplink_backlog_s = 0, downlink_backlog_s = 0;  // how long a message offered now would queue
  // Sends cut because an emulated link would have delivered them after their deadline.
  uint64_t link_cuts = 0;
  double link_cut_bytes = 0;
  uint64_t dropped_total() const;
};

class node {
 public:
  // Connects to NATS and announces itself; throws std::runtime_error on failure.
  explicit node(node_config cfg);
  ~node();  // graceful: actors stop, are announced down, then the node leaves
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  const std::string& name() const;
  const std::string& deployment() const;
  caf::actor_system& system() { return *sys_; }
  context make_context(const std::string& actor_name);

  // Spawns a registered kind, after checking `p` against its declared parameters.
  // A failure is also announced to every node (see failures()). Its ends then go
  // through `restart` (a stop request or the node's shutdown never restarts it).
  caf::expected<caf::actor> spawn(const std::string& name, const std::string& kind,
                                  const params& p = {}, const restart_spec& restart = {});

  // Spawns a custom actor: fun(self, context, xs...) -> caf::behavior.
  template <caf::spawn_options Os = caf::no_spawn_options, class F, class... Ts>
  caf::expected<caf::actor> spawn_function(const std::string& name, F fun, Ts&&... xs) {
    if (auto err = reserve(name))
      return err;
    auto a = sys_->spawn<Os>(fun, make_context(name), std::forward<Ts>(xs)...);
    if (auto err = adopt(name, "custom", a))
      return err;
    return a;
  }

  bool stop(const std::string& actor_name);
  // Why an actor of `kind` with `p`, asked for over the bus, may not be spawned here: an
  // `output` parameter outside runtime.output_dir; empty when it may.
  std::string outside_output(const std::string& kind, const params& p) const;
  std::vector<std::string> local_actors() const;

  // Sends as the node itself (sender "node/<name>"), from any thread.
  caf::error send(const std::string& to, const google::protobuf::Message& m);
  caf::error send(const std::string& to, message_ptr m);  // shares m, no copy
  caf::error publish(const std::string& topic, const google::protobuf::Message& m);
  // Blocks until the reply or the timeout (0: the configured request timeout).
  caf::expected<letter> request(const std::string& to, const google::protobuf::Message& m,
                                std::chrono::milliseconds timeout = {});
  caf::error subscribe(const std::string& topic, const caf::actor& subscriber);
  // Hands a letter to the local actor `name` as if it had come off the bus (a publish
  // as if from its topic): `troupe replay` re-feeds recorded inputs so.
  void inject(const std::string& name, letter l);
  void monitor(const std::string& actor_name, const caf::actor& watcher);

  std::optional<std::string> host_of(const std::string& actor_name) const;
  std::vector<std::string> live_nodes() const;
  std::vector<std::pair<std::string, std::string>> down_nodes() const;  // name, why
  std::map<std::string, std::vector<std::string>> actors_by_node() const;  // live nodes only
  // Actors anywhere in the deployment that crashed or could not be spawned, as this
  // node heard of them.
  std::vector<actor_failure> failures() const;
  // This node's actors restarted by their policy, one line each.
  std::vector<std::string> restarts() const;
  node_stats stats() const;
  // What this node's actors measure, for a scrape (metrics/node_metrics.hpp).
  metrics::registry& metrics() const;
  bool connected() const;

  // Vanishes without a word, as a kill -9 would: for fault emulation in one process,
  // and on a controller's kill request (`troupe ctl kill-node`).
  void crash();
  // False once the node crashed or shut down.
  bool running() const;

 private:
  caf::expected<caf::actor> try_spawn(const std::string& name, const std::string& kind, const params& p);
  caf::error reserve(const std::string& name);
  // Registers and announces a spawned actor; on failure stops it and says why.
  caf::error adopt(const std::string& name, const std::string& kind, const caf::actor& a);
  message_ptr copy(const google::protobuf::Message& m) const;
  void respawn(const std::string& name);

  struct spawn_recipe {
    std::string kind;
    params args;
  };

  std::unique_ptr<caf::actor_system_config> sys_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::shared_ptr<node_core> core_;
  context self_;
  std::vector<caf::actor> system_actors_;
  std::mutex recipes_mtx_;
  std::map<std::string, spawn_recipe> recipes_;  // supervised actors, by name
};

}  // namespace troupe
