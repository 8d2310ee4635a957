#include "actors/runtime/deploy/permissions.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "actors/runtime/bus/subjects.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/runtime/kind_registry.hpp"

namespace troupe {

namespace {

// Union-find over actor names: the connected parts of the reference graph.
class components {
 public:
  std::string root(const std::string& a) {
    auto i = parent_.find(a);
    if (i == parent_.end() || i->second == a)
      return a;
    return i->second = root(i->second);
  }
  void join(const std::string& a, const std::string& b) { parent_[root(a)] = root(b); }

 private:
  std::map<std::string, std::string> parent_;
};

// What a spawner makes joins its part of the graph, and so do neighbours of a kind.
components connections(const topology& topo, const kind_registry& kinds) {
  components c;
  std::map<std::pair<std::string, std::string>, std::string> first_neighbour;  // (kind, neighbourhood) -> actor
  for (auto* a : every_actor(topo)) {
    auto* spec = kinds.find(a->kind);
    if (spec == nullptr)
      continue;
    if (spec->neighbourhood) {
      auto [it, first] = first_neighbour.emplace(std::pair{a->kind, spec->neighbourhood(a->args)}, a->name);
      if (!first)
        c.join(a->name, it->second);
    }
    if (auto plan = planned_spawns(*a, kinds))
      for (auto& name : plan->names)
        c.join(a->name, name);
    for (auto& p : spec->parameters)
      if (!p.refers_to.empty() && a->args.has(p.key))
        for (auto& name : referenced_names(a->args.get_string(p.key)))
          c.join(a->name, name);
  }
  return c;
}

struct view {
  std::string deployment;
  std::vector<const actor_spec*> actors;
  std::vector<std::string> nodes, controllers;
  std::string actor(const std::string& name) const { return actor_subject(deployment, name); }
  std::string any(const char* space) const { return "troupe." + deployment + "." + space + ".>"; }
};

// What node `n` publishes and subscribes to: see the header.
identity_rules rules_of(const view& v, const std::string& n, const std::set<std::string>& reach) {
  identity_rules r{n, {}, {}};
  bool controls = std::count(v.controllers.begin(), v.controllers.end(), n) > 0;
  r.publish.allow = {sys_subject(v.deployment, "*", n), v.any("r"), v.any("t"), v.any("a")};
  r.subscribe.allow = {v.any("sys"), reply_wildcard(v.deployment, n), v.any("t"), v.any("a")};
  for (auto* a : v.actors) {
    if (reach.count(a->name) == 0)
      r.publish.deny.push_back(v.actor(a->name));
    if (a->node != n)
      r.subscribe.deny.push_back(v.actor(a->name));
  }
  for (auto& m : v.nodes) {
    if (!controls)
      r.publish.deny.push_back(v.actor("node/" + m));
    if (m != n)
      r.subscribe.deny.push_back(v.actor("node/" + m));
  }
  return r;
}

}  // namespace

std::vector<std::string> controllers_of(const topology& topo, const kind_registry& kinds) {
  std::vector<std::string> out = {controller_identity, operator_identity};
  for (auto* a : every_actor(topo))
    if (planned_spawns(*a, kinds) && std::count(out.begin(), out.end(), a->node) == 0)
      out.push_back(a->node);
  return out;
}

std::vector<identity_rules> permissions_for(const topology& topo, const kind_registry& kinds) {
  view v{topo.deployment, every_actor(topo), {}, controllers_of(topo, kinds)};
  for (auto& n : topo.nodes)
    v.nodes.push_back(n.name);
  auto parts = connections(topo, kinds);
  // The parts each node reaches: its actors'; on the nodes a spawner spawns on, also
  // those of the spawner's node (what it spawns serves them).
  std::map<std::string, std::set<std::string>> roots;
  for (auto* a : v.actors)
    roots[a->node].insert(parts.root(a->name));
  auto local = roots;
  for (auto* a : v.actors)
    if (auto plan = planned_spawns(*a, kinds))
      for (auto& target : plan->nodes)
        roots[target].insert(local[a->node].begin(), local[a->node].end());
  std::vector<identity_rules> out;
  for (auto& n : v.nodes) {
    std::set<std::string> reach;
    for (auto* a : v.actors)
      if (roots[n].count(parts.root(a->name)) > 0)
        reach.insert(a->name);
    out.push_back(rules_of(v, n, reach));
  }
  out.push_back(rules_of(v, controller_identity, {}));
  out.push_back(rules_of(v, operator_identity, {}));
  identity_rules monitor{monitor_identity, {}, {}};
  monitor.publish.deny = {">"};
  monitor.subscribe.allow = {deployment_wildcard(topo.deployment)};
  out.push_back(monitor);
  return out;
}

}  // namespace troupe
