// Shared pieces of the integration tests: a node config on a test server and a
// probe actor that forwards every letter it gets to a scoped actor.
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <caf/all.hpp>

#include "actors/runtime/context.hpp"
#include "actors/runtime/node_config.hpp"

namespace troupe::testing {

inline node_config config_for(const std::string& node, const std::string& url,
                              const std::string& deployment = "test") {
  node_config cfg;
  cfg.deployment = deployment;
  cfg.name = node;
  cfg.bus.url = url;
  cfg.heartbeat_interval = std::chrono::milliseconds(200);
  cfg.heartbeat_misses = 5;
  return cfg;
}

inline caf::behavior probe(caf::event_based_actor*, context, caf::actor sink) {
  return {
    [=](const letter& l) { caf::anon_send(sink, l); },
  };
}

// Waits for one letter; nullopt on timeout.
inline std::optional<letter> next_letter(caf::scoped_actor& self,
                                         std::chrono::milliseconds timeout) {
  std::optional<letter> got;
  self->receive([&](const letter& l) { got = l; },
                caf::after(timeout) >> [] {});
  return got;
}

// Polls `pred` until true or timeout.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

}  // namespace troupe::testing

namespace troupe::testing {

inline std::string binary_dir() {
  return TROUPE_BINARY_DIR;
}

inline std::string source_dir() {
  return TROUPE_SOURCE_DIR;
}

struct command_result {
  int status = -1;
  std::string output;  // stdout and stderr
};

// Runs a shell command and collects what it prints (stdout and stderr).
inline command_result run_command(const std::string& command) {
  command_result r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return r;
  char buf[1024];
  while (fgets(buf, sizeof(buf), pipe))
    r.output += buf;
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs `troupe ARGS` and collects what it prints.
inline command_result troupe_cli(const std::string& args) {
  return run_command(binary_dir() + "/cli/troupe " + args);
}

// Works in another folder for the scope, then returns.
class cwd_guard {
 public:
  explicit cwd_guard(const std::string& dir) : before_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~cwd_guard() { std::filesystem::current_path(before_); }

 private:
  std::filesystem::path before_;
};

inline std::string write_temp(const std::string& name, const std::string& text) {
  auto path = std::string(::testing::TempDir()) + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace troupe::testing
