#include "actors/runtime/bus/directory.hpp"

namespace troupe {

std::vector<actor_loss> directory::drop_actors(node_state& n, const std::string& node,
                                               const std::string& reason) {
  std::vector<actor_loss> lost;
  for (auto& a : n.actors) {
    auto i = host_.find(a);
    if (i != host_.end() && i->second == node)
      host_.erase(i);
    lost.push_back({a, node, reason});
  }
  n.actors.clear();
  return lost;
}

std::vector<actor_loss> directory::hello(const std::string& node, uint64_t incarnation,
                                         const std::vector<std::string>& actors,
                                         int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& n = nodes_[node];
  std::vector<actor_loss> lost;
  if (n.incarnation != 0 && n.incarnation != incarnation)
    lost = drop_actors(n, node, "node restarted");
  std::set<std::string> now(actors.begin(), actors.end());
  for (auto& a : n.actors)
    if (now.count(a) == 0 && host_[a] == node) {
      host_.erase(a);
      lost.push_back({a, node, "gone"});
    }
  n.actors = now;
  for (auto& a : now)
    host_[a] = node;
  n.incarnation = incarnation;
  n.last_seen_ns = now_ns;
  n.alive = true;
  return lost;
}

bool directory::heartbeat(const std::string& node, uint64_t incarnation, size_t actors, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto i = nodes_.find(node);
  if (i == nodes_.end() || !i->second.alive || i->second.incarnation != incarnation)
    return true;
  auto& n = i->second;
  n.last_seen_ns = now_ns;
  bool was = n.miscounted;
  n.miscounted = n.actors.size() != actors;
  return was && n.miscounted;
}

void directory::actor_up(const std::string& actor, const std::string& node, int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& n = nodes_[node];
  n.actors.insert(actor);
  if (!n.alive) {
    n.alive = true;
    n.last_seen_ns = now_ns;
  }
  host_[actor] = node;
}

std::optional<actor_loss> directory::actor_down(const std::string& actor,
                                                const std::string& node,
                                                const std::string& reason) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto i = nodes_.find(node);
  if (i == nodes_.end() || i->second.actors.erase(actor) == 0)
    return std::nullopt;
  auto h = host_.find(actor);
  if (h != host_.end() && h->second == node)
    host_.erase(h);
  return actor_loss{actor, node, reason};
}

std::vector<actor_loss> directory::node_down(const std::string& node,
                                             const std::string& reason) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto i = nodes_.find(node);
  if (i == nodes_.end() || !i->second.alive)
    return {};
  i->second.alive = false;
  i->second.down_reason = reason;
  return drop_actors(i->second, node, reason);
}

directory::silence directory::expire(int64_t now_ns, int64_t timeout_ns, int64_t suspicion_ns,
                                     const std::string& why) {
  std::lock_guard<std::mutex> lock(mtx_);
  silence out;
  for (auto& [name, n] : nodes_) {
    if (!n.alive || name == self_)
      continue;
    if (now_ns - n.last_seen_ns <= timeout_ns) {
      n.suspected_ns = 0;
    } else if (n.suspected_ns == 0) {
      n.suspected_ns = now_ns;
      out.suspected.push_back(name);
    } else if (now_ns - n.suspected_ns > suspicion_ns) {
      n.alive = false;
      n.suspected_ns = 0;
      n.down_reason = why;
      out.down.emplace_back(name, drop_actors(n, name, why));
    }
  }
  return out;
}

void directory::forgive(int64_t now_ns) {
  std::lock_guard<std::mutex> lock(mtx_);
  for (auto& [name, n] : nodes_)
    n.last_seen_ns = now_ns;
}

std::optional<std::string> directory::host_of(const std::string& actor) const {
  std::lock_guard<std::mutex> lock(mtx_);
  auto i = host_.find(actor);
  if (i == host_.end())
    return std::nullopt;
  return i->second;
}

bool directory::knows(const std::string& actor) const {
  std::lock_guard<std::mutex> lock(mtx_);
  return host_.count(actor) != 0;
}

std::optional<int64_t> directory::last_seen(const std::string& node) const {
  std::lock_guard<std::mutex> lock(mtx_);
  auto i = nodes_.find(node);
  if (i == nodes_.end() || !i->second.alive)
    return std::nullopt;
  return i->second.last_seen_ns;
}

std::vector<std::string> directory::live_nodes() const {
  std::lock_guard<std::mutex> lock(mtx_);
  std::vector<std::string> out;
  for (auto& [name, n] : nodes_)
    if (n.alive)
      out.push_back(name);
  return out;
}

std::map<std::string, std::vector<std::string>> directory::actors_by_node() const {
  std::lock_guard<std::mutex> lock(mtx_);
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [name, n] : nodes_)
    if (n.alive)
      out[name].assign(n.actors.begin(), n.actors.end());
  return out;
}

std::vector<std::pair<std::string, std::string>> directory::down_nodes() const {
  std::lock_guard<std::mutex> lock(mtx_);
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [name, n] : nodes_)
    if (!n.alive)
      out.emplace_back(name, n.down_reason);
  return out;
}

}  // namespace troupe
