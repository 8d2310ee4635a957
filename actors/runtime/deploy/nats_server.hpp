// Debian's nats-server as a child process on a free loopback port: the embedded
// default of `troupe run`, and the server every integration test starts. Its settings,
// secrets included, go in a config file of its own (0600, in a 0700 folder), never on
// its command line where `ps` shows them.
#pragma once

#include <string>
#include <vector>
#include <sys/types.h>

#include "actors/runtime/deploy/tls_material.hpp"

namespace troupe {

struct nats_server_options {
  std::string binary = "nats-server";  // looked up in PATH, then /usr/sbin
  int port = 0;                        // 0: a free loopback port
  std::string user, password, token;   // optional shared authentication
  std::string authorization;           // or a whole `authorization { ... }` block (per-identity users)
  int max_payload_bytes = 0;           // 0: the server's default (1 MB)
  // One server of a NATS cluster on loopback: its route port (0: no cluster) and the
  // route ports of the others it joins.
  int cluster_port = 0;
  std::vector<int> routes;
  // TLS: the server's certificate and key, and the CA whose client certificates it
  // takes (it requires one from every client). Empty: plain TCP.
  tls_pair tls;
  std::string tls_ca;
};

class nats_server {
 public:
  // Starts and waits until it accepts connections; throws on failure.
  explicit nats_server(nats_server_options options = {});
  ~nats_server();
  nats_server(const nats_server&) = delete;
  nats_server& operator=(const nats_server&) = delete;

  std::string url() const;
  int port() const { return options_.port; }
  void stop();     // SIGTERM and wait
  void restart();  // same port, same options

 private:
  void launch();
  void write_config();
  void write_file(const std::string& name, const std::string& text);  // 0600 in the private folder
  nats_server_options options_;
  std::string config_dir_;
  std::vector<std::string> files_;
  pid_t pid_ = -1;
};

int free_loopback_port();
// A quoted string of NATS's config syntax.
std::string nats_quoted(const std::string& s);
// nats-server's `tls { ... }` block: this certificate, and client certificates from
// this CA required and verified.
std::string tls_block(const std::string& cert_file, const std::string& key_file, const std::string& ca_file);
std::string find_program(const std::string& name, const std::string& fallback_dir);

}  // namespace troupe
