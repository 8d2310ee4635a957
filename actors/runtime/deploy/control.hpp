// `troupe ctl`: a person's hand on a running deployment. It joins the bus as the
// operator (`troupe-ctl`, a controller beside the run's own), learns the deployment
// from the nodes' hellos, and asks node controllers with the same authenticated
// spawn and stop requests the timeline uses. Every refusal comes back as a clear line
// and exit status 1.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "actors/runtime/deploy/topology.hpp"

namespace troupe {

class kind_registry;

namespace control {

struct list {};
struct spawn {
  std::string kind, name, node;
  std::vector<std::string> params;  // "key=value", the value read as YAML
};
struct stop {
  std::string name;
};
struct kill_node {
  std::string node;
};
using command = std::variant<list, spawn, stop, kill_node>;

struct options {
  std::string nats_url;
  std::string credentials;  // the operator's identity file (`troupe credentials` → troupe-ctl.creds)
  double listen_s = 2;      // how long to hear the nodes' hellos before acting
};

// "key=value" pairs as one YAML map; throws std::invalid_argument naming a pair
// without '=' or a key twice.
std::string params_yaml(const std::vector<std::string>& pairs);

// Returns the exit status: 0 done, 1 refused or failed (said why).
int run(const topology& topo, const options& o, const command& c, const kind_registry& kinds);

}  // namespace control
}  // namespace troupe
