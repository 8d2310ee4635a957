#include "actors/runtime/deploy/control.hpp"

#include <chrono>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include "actors/runtime/errors.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/text_table.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/deploy/permissions.hpp"
#include "troupe/messages/runtime.pb.h"

namespace troupe::control {

namespace {

using steady = std::chrono::steady_clock;

int refused(const std::string& why) {
  spdlog::error("troupe ctl: {}", why);
  return 1;
}

// Listens until every node of the topology was heard of (up or down), or `listen_s`.
void hear_the_nodes(const node& ctl, const topology& topo, double listen_s) {
  auto until = steady::now() + std::chrono::duration<double>(listen_s);
  auto every_one_heard = [&] {
    std::set<std::string> heard;
    for (auto& n : ctl.live_nodes())
      heard.insert(n);
    for (auto& [n, why] : ctl.down_nodes())
      heard.insert(n);
    for (auto& n : topo.nodes)
      if (heard.count(n.name) == 0)
        return false;
    return true;
  };
  while (!every_one_heard() && steady::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (auto& n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

bool is_live(const node& ctl, const std::string& name) {
  auto live = ctl.live_nodes();
  return std::find(live.begin(), live.end(), name) != live.end();
}

// A node controller's answer, or why there is none.
int ask(node& ctl, const std::string& node_name, const google::protobuf::Message& request) {
  auto denied_before = ctl.stats().permission_denied;
  auto reply = ctl.request("node/" + node_name, request);
  if (!reply) {
    if (ctl.stats().permission_denied > denied_before)
      return refused("the server's permissions refused the request to node " + node_name +
                     " (is the identity troupe-ctl's?)");
    return refused("no answer from node " + node_name + ": " + describe(reply.error()));
  }
  auto* a = reply->as<msg::Ack>();
  if (a == nullptr)
    return refused("node " + node_name + " answered with " + reply->type + ", not an Ack");
  if (!a->ok())
    return refused("node " + node_name + " refused: " + a->detail());
  log::result("node " + node_name + ": " + a->detail());
  return 0;
}

int act(node& ctl, const topology& topo, const list&, const kind_registry&) {
  text_table t({"node", "state", "actors"});
  auto actors = ctl.actors_by_node();
  std::set<std::string> shown;
  for (auto& [name, on] : actors) {
    t.add({name, "up", joined(on)});
    shown.insert(name);
  }
  for (auto& [name, why] : ctl.down_nodes()) {
    t.add({name, "down (" + why + ")", "-"});
    shown.insert(name);
  }
  for (auto& n : topo.nodes)
    if (shown.count(n.name) == 0)
      t.add({n.name, "not heard", "-"});
  log::result("deployment " + topo.deployment + "\n" + t.str());
  return 0;
}

int act(node& ctl, const topology& topo, const spawn& s, const kind_registry& kinds) {
  if (!topo.find_node(s.node))  // the run's own controller is no place for actors
    return refused("no node '" + s.node + "' in " + topo.file);
  if (kinds.find(s.kind) == nullptr)
    return refused("no actor kind '" + s.kind + "' (troupe kinds lists them)");
  if (!is_live(ctl, s.node))
    return refused("node '" + s.node + "' is not running (running: " + joined(ctl.live_nodes()) + ")");
  if (auto host = ctl.host_of(s.name))
    return refused("the name '" + s.name + "' is taken on node " + *host);
  msg::SpawnRequest req;
  req.set_actor(s.name);
  req.set_kind(s.kind);
  req.set_params_yaml(params_yaml(s.params));
  return ask(ctl, s.node, req);
}

int act(node& ctl, const topology&, const stop& s, const kind_registry&) {
  auto host = ctl.host_of(s.name);
  if (!host)
    return refused("no actor '" + s.name + "' is running in the deployment");
  msg::StopRequest req;
  req.set_actor(s.name);
  return ask(ctl, *host, req);
}

int act(node& ctl, const topology& topo, const kill_node& k, const kind_registry&) {
  if (!topo.find_node(k.node))  // the run's own controller must outlive its run
    return refused("no node '" + k.node + "' in " + topo.file);
  if (!is_live(ctl, k.node))
    return refused("node '" + k.node + "' is not running (running: " + joined(ctl.live_nodes()) + ")");
  msg::StopRequest req;  // a node's controller asked to stop itself: the node dies
  req.set_actor("node/" + k.node);
  return ask(ctl, k.node, req);
}

}  // namespace

std::string params_yaml(const std::vector<std::string>& pairs) {
  YAML::Node map(YAML::NodeType::Map);
  for (auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::invalid_argument("--param '" + pair + "': expected key=value");
    auto key = pair.substr(0, eq);
    if (map[key])
      throw std::invalid_argument("--param '" + key + "' given twice");
    map[key] = YAML::Load(pair.substr(eq + 1));  // 5 a number, [a, b] a list, text a string
  }
  YAML::Emitter out;
  out << YAML::Flow << map;
  return out.c_str();
}

int run(const topology& topo, const options& o, const command& c, const kind_registry& kinds) {
  std::optional<credential> who;
  if (!o.credentials.empty()) {
    who = read_credential(o.credentials);
    if (who->identity != operator_identity)
      return refused(o.credentials + " is the identity of '" + who->identity + "', not of " + operator_identity);
    if (who->deployment != topo.deployment)
      return refused(o.credentials + " belongs to deployment '" + who->deployment + "', not '" + topo.deployment + "'");
  }
  node ctl(node_config_for(topo, operator_identity, o.nats_url, 0, kinds, who ? &*who : nullptr));
  hear_the_nodes(ctl, topo, o.listen_s);
  return std::visit([&](auto& what) { return act(ctl, topo, what, kinds); }, c);
}

}  // namespace troupe::control
