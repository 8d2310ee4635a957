// Which node hosts which actor, and which nodes are alive: kept from hellos,
// heartbeats and actor up/down announcements on the bus. Thread-safe; it returns
// what was lost so the node can tell the watchers.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace troupe {

struct actor_loss {
  std::string actor;
  std::string node;
  std::string reason;
};

class directory {
 public:
  explicit directory(std::string self) : self_(std::move(self)) {}

  // A node announced itself with its actors. Losses: the actors of its previous
  // incarnation that it no longer hosts.
  std::vector<actor_loss> hello(const std::string& node, uint64_t incarnation,
                                const std::vector<std::string>& actors, int64_t now_ns);
  // Returns true when the node is unknown, down, a new incarnation, or hosts another
  // number of actors than we know of on two heartbeats running (news of one was lost;
  // one alone may be news still on its way): ask it to say hello.
  bool heartbeat(const std::string& node, uint64_t incarnation, size_t actors, int64_t now_ns);
  void actor_up(const std::string& actor, const std::string& node, int64_t now_ns);
  std::optional<actor_loss> actor_down(const std::string& actor, const std::string& node,
                                       const std::string& reason);
  std::vector<actor_loss> node_down(const std::string& node, const std::string& reason);

  // Silence: a live node silent for longer than timeout_ns is suspected (reported once,
  // to be probed); still silent suspicion_ns after that it is declared down, here and
  // in the same step (`why` its reason), with the actors it loses. Hearing from it
  // again clears the suspicion; a node is never declared down without one.
  struct silence {
    std::vector<std::string> suspected;
    std::vector<std::pair<std::string, std::vector<actor_loss>>> down;
  };
  silence expire(int64_t now_ns, int64_t timeout_ns, int64_t suspicion_ns, const std::string& why);
  // After our own reconnection the silence was ours: restart every node's timer.
  void forgive(int64_t now_ns);

  std::optional<std::string> host_of(const std::string& actor) const;
  bool knows(const std::string& actor) const;  // host_of, without copying the host
  // When a live node was last heard from; nullopt when unknown or down.
  std::optional<int64_t> last_seen(const std::string& node) const;
  std::vector<std::string> live_nodes() const;
  // Each live node with the actors it hosts (`troupe ctl list`).
  std::map<std::string, std::vector<std::string>> actors_by_node() const;
  // Nodes now down, with why ("no heartbeat for 2000 ms", "shutdown", ...).
  std::vector<std::pair<std::string, std::string>> down_nodes() const;

 private:
  struct node_state {
    uint64_t incarnation = 0;
    int64_t last_seen_ns = 0;
    bool alive = false;
    bool miscounted = false;  // the last heartbeat's count differed from ours
    int64_t suspected_ns = 0;  // when it was found silent past the timeout and probed; 0: not
    std::string down_reason;
    std::set<std::string> actors;
  };
  std::vector<actor_loss> drop_actors(node_state& n, const std::string& node,
                                      const std::string& reason);

  std::string self_;
  mutable std::mutex mtx_;
  std::map<std::string, node_state> nodes_;
  std::map<std::string, std::string> host_;
};

}  // namespace troupe
