// A deployment's identities with their secrets: one per node, the controller and the
// monitor (permissions.hpp), each with a fresh random password. `troupe run` makes them
// per run for its embedded server; `troupe credentials` writes them for a server and
// nodes of your own (docs/security.md).
#pragma once

#include <string>
#include <vector>

#include "actors/runtime/deploy/permissions.hpp"
#include "actors/runtime/deploy/tls_material.hpp"

namespace troupe {

struct bus_options;

struct credential {
  std::string deployment, identity, user, password;
  // With nats.tls: the deployment's CA, and this identity's client certificate and
  // key (PEM); empty otherwise.
  std::string tls_ca, tls_cert, tls_key;
};

struct deployment_credentials {
  std::vector<identity_rules> rules;
  std::vector<credential> identities;  // in the order of rules
  tls_pair tls_server;                 // with nats.tls: the server's certificate and key
  // nullptr when the deployment has no such identity.
  const credential* find(const std::string& identity) const;
};

// Fresh secrets (128 bits from /dev/urandom each) for every identity of the topology;
// with nats.tls also a fresh authority, a server certificate naming the hosts of
// nats.url (localhost and 127.0.0.1 for the embedded server) and nats.tls.hostname,
// and a client certificate per identity.
deployment_credentials make_credentials(const topology& topo, const kind_registry& kinds);

// nats-server's `authorization { users = [...] }` block: each identity, its password
// and its permissions.
std::string authorization_block(const deployment_credentials& c);

// Writes DIR/nats-server.conf (the blocks) and DIR/<identity>.creds for each identity,
// with nats.tls also DIR/ca.pem, DIR/server.pem and DIR/server.key; every file 0600 in
// a folder made 0700. Returns the files written; throws naming the path on failure.
std::vector<std::string> write_credentials(const deployment_credentials& c, const std::string& dir);

// One identity's file as written above; throws naming the path and the problem.
credential read_credential(const std::string& path);
// The file of `identity` in a folder written above.
std::string credential_file(const std::string& dir, const std::string& identity);

// Connects as `who`: its user and password, and its TLS material when it has any.
void connect_as(bus_options& bus, const credential& who);

}  // namespace troupe
