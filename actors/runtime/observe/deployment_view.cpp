#include "actors/runtime/observe/deployment_view.hpp"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "troupe/messages/runtime.pb.h"
#include "troupe/messages/vision.pb.h"

namespace troupe {

namespace {

bool named(const letter& l, const char* part) {
  return l.type.find(part) != std::string::npos;
}

// Statistics and plans are what a dashboard shows of a system's decision; a type is
// one when it is published to a topic or its name says it is a plan, a table or
// statistics (REACT's fusion counts travel as CameraStats), or what a segment was sent
// as (Penance's configuration of each segment).
bool decision_like(const letter& l) {
  return !l.topic.empty() || named(l, "Plan") || named(l, "Table") || named(l, "Stats") || named(l, "SegmentSent");
}

// Bytes fields (JPEG, PNG, padding) print as base64: a page needs their size, not them.
void shorten_bytes(nlohmann::json& j) {
  if (j.is_string() && j.get_ref<const std::string&>().size() > 256)
    j = "(" + std::to_string(j.get_ref<const std::string&>().size() * 3 / 4) + " bytes)";
  else if (j.is_structured())
    for (auto& v : j)
      shorten_bytes(v);
}

double median(std::vector<double> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

std::string short_type(const std::string& type) {
  auto dot = type.rfind('.');
  return dot == std::string::npos ? type : type.substr(dot + 1);
}

}  // namespace

deployment_view::deployment_view(const topology& topo, double window_s)
    : window_ns_(int64_t(window_s * 1e9)),
      // heartbeats keep deployment time: under an emulated clock they come slower
      silence_ns_(int64_t(topo.runtime.heartbeat_ms * topo.runtime.heartbeat_misses * 1e6 * topo.runtime.time_scale)),
      real_time_(topo.runtime.time_scale == 1) {
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
  camera_traffic(l, now_ns);
}

void deployment_view::camera_traffic(const letter& l, int64_t now_ns) {
  if (auto* r = l.as<msg::Region>()) {
    auto& seen = cameras_[r->camera()].regions[r->region()];
    seen = {r->frame_index(), r->x(), r->y(), r->width(), r->height(), r->jpeg()};
  } else if (auto* d = l.as<msg::Detections>(); d != nullptr && l.receiver != d->camera()) {
    // (to the camera itself: one region's part of what it fuses and sends on)
    auto& c = cameras_[d->camera()];
    if (d->frame_index() < c.boxes_frame)
      return;  // an older frame's result, late
    if (d->frame_index() > c.boxes_frame)
      c.boxes = nlohmann::json::array();
    c.boxes_frame = d->frame_index();
    for (auto& b : d->boxes())  // a frame's regions answer apart: their boxes add up
      c.boxes.push_back({{"x", b.x()}, {"y", b.y()}, {"width", b.width()}, {"height", b.height()},
                         {"label", b.label()}, {"score", b.score()}});
    if (real_time_ && d->capture_time_unix_ns() > 0) {
      c.latency_ms.emplace_back(now_ns, (now_ns - d->capture_time_unix_ns()) / 1e6);
      while (c.latency_ms.front().first < now_ns - window_ns_)
        c.latency_ms.pop_front();
    }
  }
}

std::string deployment_view::region_jpeg(const std::string& camera, uint32_t region) const {
  auto c = cameras_.find(camera);
  if (c == cameras_.end())
    return {};
  auto r = c->second.regions.find(region);
  return r == c->second.regions.end() ? std::string() : r->second.jpeg;
}

nlohmann::json deployment_view::cameras_json(int64_t now_ns) const {
  auto out = nlohmann::json::array();
  for (auto& [name, c] : cameras_) {
    nlohmann::json j = {{"name", name}, {"frame", c.boxes_frame}, {"boxes", c.boxes},
                        {"regions", nlohmann::json::array()}};
    for (auto& [n, r] : c.regions)
      j["regions"].push_back(
          {{"region", n}, {"frame", r.frame}, {"x", r.x}, {"y", r.y}, {"width", r.width}, {"height", r.height}});
    std::vector<double> recent;
    for (auto& [t, ms] : c.latency_ms)
      if (t >= now_ns - window_ns_)
        recent.push_back(ms);
    if (!recent.empty())
      j["latency_ms_p50"] = median(recent);
    out.push_back(std::move(j));
  }
  return out;
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
  if (j.is_discarded())
    return;
  shorten_bytes(j);
  if (l.topic.empty() && named(l, "Plan"))
    plans_[l.sender][short_type(l.type)][l.receiver] = j;
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
                        {"edges", nlohmann::json::array()}, {"window_s", window_ns_ / 1e9},
                        {"cameras", cameras_json(now_ns)}};
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
    if (auto p = plans_.find(name); p != plans_.end())
      j["plans"] = p->second;
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
