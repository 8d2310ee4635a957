// What `troupe dashboard` knows of a running deployment: the topology, and what it
// overhears on the bus as the read-only monitor (it publishes nothing, so it asks no
// node anything): each node up, down (and why), silent or not heard yet; each actor up
// (heard itself, or its node up) or down; who sends to whom over the bus at what rate
// (actors on one node never cross the bus: the metrics' troupe_flow_* count those); the
// latest statistics and plans each actor sent (each system's current decision), plans
// sent to each receiver apart (OctoCross's matrix is one row per replica); and each
// camera's latest regions (their JPEG) and boxes as they cross the bus. Pure: envelopes
// and times in, a JSON snapshot out.
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
  // The JPEG of `camera`'s latest region number `region` overheard; empty if none.
  std::string region_jpeg(const std::string& camera, uint32_t region) const;

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
  struct region_seen {
    uint64_t frame = 0;
    int x = 0, y = 0, width = 0, height = 0;
    std::string jpeg;
  };
  struct camera_state {
    std::map<uint32_t, region_seen> regions;
    nlohmann::json boxes = nlohmann::json::array();
    uint64_t boxes_frame = 0;
    std::deque<std::pair<int64_t, double>> latency_ms;  // (heard at, capture to result) within the window
  };
  struct edge_state {
    uint64_t messages = 0;
    double bytes = 0;
    std::deque<std::pair<int64_t, size_t>> recent;  // (time, bytes) within the window
  };

  void announcement(const letter& l, int64_t now_ns);
  void keep_latest(const letter& l);
  void camera_traffic(const letter& l, int64_t now_ns);
  nlohmann::json cameras_json(int64_t now_ns) const;
  nlohmann::json node_json(const std::string& name, const node_state& n, int64_t now_ns) const;

  int64_t window_ns_, silence_ns_;
  std::map<std::string, node_state> nodes_;
  std::map<std::string, actor_state> actors_;
  std::map<std::pair<std::string, std::string>, edge_state> edges_;
  bool real_time_;  // capture times are comparable with `now` (no emulated clock)
  std::map<std::string, std::map<std::string, nlohmann::json>> latest_;  // actor -> type -> body
  std::map<std::string, std::map<std::string, std::map<std::string, nlohmann::json>>> plans_;  // actor -> type -> receiver -> body
  std::map<std::string, camera_state> cameras_;
};

}  // namespace troupe
