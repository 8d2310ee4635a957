// What `troupe dashboard` knows of a running deployment: the topology, and what it
// overhears on the bus as the read-only monitor (it publishes nothing, so it asks no
// node anything): each node up, down (and why), silent or not heard yet; each actor up
// (heard itself, or its node up) or down; who sends to whom over the bus at what rate
// (actors on one node never cross the bus: the metrics' troupe_flow_* count those); and the latest statistics and plans each
// actor sent (each system's current decision). Pure: envelopes and times in, a JSON
// snapshot out.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "actors/runtime/deploy/topology.hpp"
#include "actors/runtime/letter.hpp"

namespace troupe {

class deployment_view {
 public:
  // window_s: the span rates are measured over.
  explicit deployment_view(const topology& topo, double window_s = 5);

  // Any envelope heard (bytes: its size on the bus) at deployment time `now_ns`.
  void heard(const letter& l, size_t bytes, int64_t now_ns);
  nlohmann::json snapshot(int64_t now_ns) const;

 private:
  struct node_state {
    int64_t last_heard_ns = -1;
    std::string down_reason;  // empty: not declared down
  };
  struct actor_state {
    std::string kind, node;
    bool heard = false;
    std::string down_reason;
  };
  struct edge_state {
    uint64_t messages = 0;
    double bytes = 0;
    std::deque<std::pair<int64_t, size_t>> recent;  // (time, bytes) within the window
  };

  void announcement(const letter& l, int64_t now_ns);
  void keep_latest(const letter& l);
  nlohmann::json node_json(const std::string& name, const node_state& n, int64_t now_ns) const;

  int64_t window_ns_, silence_ns_;
  std::map<std::string, node_state> nodes_;
  std::map<std::string, actor_state> actors_;
  std::map<std::pair<std::string, std::string>, edge_state> edges_;
  std::map<std::string, std::map<std::string, nlohmann::json>> latest_;  // actor -> type -> body
};

}  // namespace troupe
