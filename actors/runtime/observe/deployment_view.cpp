#include "actors/runtime/observe/deployment_view.hpp"

#include <google/protobuf/util/json_util.h>

#include "troupe/messages/runtime.pb.h"

namespace troupe {

namespace {

// Statistics and plans are what a dashboard shows of a system's decision; a type is
// one when it is published to a topic or its name says it is a plan or a table.
bool decision_like(const letter& l) {
  return !l.topic.empty() || l.type.find("Plan") != std::string::npos || l.type.find("Table") != std::string::npos;
}

std::string short_type(const std::string& type) {
  auto dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

}  // namespace

deployment_view::deployment_view(const topology& topo, double window_s)
    : window_ns_(int64_t(window_s * 1e9)),
      silence_ns_(int64_t(topo.runtime.heartbeat_ms) * topo.runtime.heartbeat_misses * 1'000'000) {
  for (auto& n : topo.nodes)
    nodes_[n.name];
  for (auto& a : topo.actors)
    actors_[a.name] = {a.kind, a.node, false, {}};
}

void deployment_view::heard(const letter& l, size_t bytes, int64_t now_ns) {
  if (l.topic.rfind("sys.", 0) == 0)
    return announcement(l, now_ns);
  if (auto a = actors_.find(l.sender); a != actors_.end()) {
    a->second.heard = true;
    a->second.down_reason.clear();
  }
  auto& e = edges_[{l.sender, l.topic.empty() ? l.receiver : "#" + l.topic}];
  ++e.messages;
  e.bytes += double(bytes);
  e.recent.emplace_back(now_ns, bytes);
  while (!e.recent.empty() && e.recent.front().first < now_ns - window_ns_)
    e.recent.pop_front();
  if (l.body && decision_like(l))
    keep_latest(l);
}

void deployment_view::announcement(const letter& l, int64_t now_ns) {
  if (!l.sender_node.empty())
    nodes_[l.sender_node].last_heard_ns = now_ns;
  if (auto* hello = l.as<msg::NodeHello>()) {
    nodes_[hello->node()].down_reason.clear();
    for (auto& a : hello->actors())
      if (auto it = actors_.find(a); it != actors_.end())
        it->second.heard = true, it->second.down_reason.clear();
  } else if (auto* hb = l.as<msg::NodeHeartbeat>()) {
    nodes_[hb->node()].down_reason.clear();
  } else if (auto* down = l.as<msg::NodeDown>()) {
    nodes_[down->node()].down_reason = down->reason().empty() ? "left" : down->reason();
    for (auto& [name, a] : actors_)
      if (a.node == down->node())
        a.down_reason = "node down";
  } else if (auto* up = l.as<msg::ActorUp>()) {
    auto& a = actors_[up->actor()];
    a.node = up->node();
    a.kind = up->kind();
    a.heard = true;
    a.down_reason.clear();
  } else if (auto* gone = l.as<msg::ActorDown>()) {
    actors_[gone->actor()].down_reason = gone->reason().empty() ? "down" : gone->reason();
  }
}

void deployment_view::keep_latest(const letter& l) {
  std::string text;
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(*l.body, &text, o).ok())
    return;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_discarded())
    latest_[l.sender][short_type(l.type)] = std::move(j);
}

nlohmann::json deployment_view::node_json(const std::string& name, const node_state& n, int64_t now_ns) const {
  std::string state = !n.down_reason.empty()                        ? "down"
                      : n.last_heard_ns < 0                         ? "not heard"
                      : now_ns - n.last_heard_ns > silence_ns_ ? "silent"
                                                                    : "up";
  nlohmann::json j = {{"name", name}, {"state", state}};
  if (!n.down_reason.empty())
    j["why"] = n.down_reason;
  return j;
}

nlohmann::json deployment_view::snapshot(int64_t now_ns) const {
  nlohmann::json out = {{"nodes", nlohmann::json::array()}, {"actors", nlohmann::json::array()},
                        {"edges", nlohmann::json::array()}, {"window_s", window_ns_ / 1e9}};
  for (auto& [name, n] : nodes_)
    out["nodes"].push_back(node_json(name, n, now_ns));
  for (auto& [name, a] : actors_) {
    auto node = nodes_.find(a.node);
    bool node_down = node != nodes_.end() && !node->second.down_reason.empty();
    bool node_up = node != nodes_.end() && node_json(a.node, node->second, now_ns)["state"] == "up";
    // An actor that never sent on the bus since the dashboard began is up while its node is.
    std::string state = node_down || !a.down_reason.empty() ? "down" : a.heard || node_up ? "up" : "not heard";
    nlohmann::json j = {{"name", name}, {"kind", a.kind}, {"node", a.node}, {"state", state}, {"heard", a.heard}};
    if (state == "down")
      j["why"] = a.down_reason.empty() ? "node down" : a.down_reason;
    if (auto l = latest_.find(name); l != latest_.end())
      j["latest"] = l->second;
    out["actors"].push_back(std::move(j));
  }
  double window_s = window_ns_ / 1e9;
  for (auto& [key, e] : edges_) {
    size_t recent_bytes = 0, recent = 0;
    for (auto& [t, b] : e.recent)
      if (t >= now_ns - window_ns_)
        ++recent, recent_bytes += b;
    out["edges"].push_back({{"from", key.first}, {"to", key.second}, {"messages", e.messages}, {"bytes", e.bytes},
                            {"per_s", recent / window_s}, {"bytes_per_s", recent_bytes / window_s}});
  }
  return out;
}

}  // namespace troupe
