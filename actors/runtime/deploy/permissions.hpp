// Who may publish and subscribe where, derived from a topology: the rules that the
// NATS server enforces for each identity of a deployment (docs/security.md).
//  - Only the controller (and nodes hosting a kind that spawns at run time) may send
//    to node controllers: spawn and stop requests.
//  - A node announces on its own sys subjects only, reads only its own replies, and
//    subscribes to no inbox of a topology actor placed elsewhere.
//  - A node publishes to the inboxes of the topology actors connected to its own (the
//    connected parts of the graph the reference parameters draw); actors made at run
//    time, topics and replies are open to every node of the deployment.
//  - The monitor identity reads everything and publishes nothing.
#pragma once

#include <string>
#include <vector>

namespace troupe {

class kind_registry;
struct topology;

constexpr const char* controller_identity = "troupe-run";
constexpr const char* monitor_identity = "troupe-monitor";
// A person's `troupe ctl`: a controller of its own, beside the run's.
constexpr const char* operator_identity = "troupe-ctl";

struct subject_rules {
  std::vector<std::string> allow, deny;
};

struct identity_rules {
  std::string identity;  // a node's name, controller_identity, operator_identity or monitor_identity
  subject_rules publish, subscribe;
};

// One entry per node, then the controller, the operator and the monitor.
std::vector<identity_rules> permissions_for(const topology& topo, const kind_registry& kinds);

// The nodes whose spawn and stop requests are obeyed.
std::vector<std::string> controllers_of(const topology& topo, const kind_registry& kinds);

}  // namespace troupe
