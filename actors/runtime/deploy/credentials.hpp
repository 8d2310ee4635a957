// A deployment's identities with their secrets: one per node, the controller and the
// monitor (permissions.hpp), each with a fresh random password. `troupe run` makes them
// per run for its embedded server; `troupe credentials` writes them for a server and
// nodes of your own (docs/security.md).
#pragma once

#include <string>
#include <vector>

#include "actors/runtime/deploy/permissions.hpp"

namespace troupe {

struct credential {
  std::string deployment, identity, user, password;
};

struct deployment_credentials {
  std::vector<identity_rules> rules;
  std::vector<credential> identities;  // in the order of rules
  // nullptr when the deployment has no such identity.
  const credential* find(const std::string& identity) const;
};

// Fresh secrets (128 bits from /dev/urandom each) for every identity of the topology.
deployment_credentials make_credentials(const topology& topo, const kind_registry& kinds);

// nats-server's `authorization { users = [...] }` block: each identity, its password
// and its permissions.
std::string authorization_block(const deployment_credentials& c);

// Writes DIR/nats-server.conf (the block) and DIR/<identity>.creds for each identity,
// every file 0600 in a folder made 0700. Returns the files written; throws naming the
// path on failure.
std::vector<std::string> write_credentials(const deployment_credentials& c, const std::string& dir);

// One identity's file as written above; throws naming the path and the problem.
credential read_credential(const std::string& path);
// The file of `identity` in a folder written above.
std::string credential_file(const std::string& dir, const std::string& identity);

}  // namespace troupe
