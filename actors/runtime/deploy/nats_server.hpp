// Debian's nats-server as a child process on a free loopback port: the embedded
// default of `troupe run`, and the server every integration test starts.
#pragma once

#include <string>
#include <sys/types.h>

namespace troupe {

struct nats_server_options {
  std::string binary = "nats-server";  // looked up in PATH, then /usr/sbin
  int port = 0;                        // 0: a free loopback port
  std::string user, password, token;   // optional authentication
  int max_payload_bytes = 0;           // 0: the server's default (1 MB)
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
  nats_server_options options_;
  pid_t pid_ = -1;
};

int free_loopback_port();
std::string find_program(const std::string& name, const std::string& fallback_dir);

}  // namespace troupe
