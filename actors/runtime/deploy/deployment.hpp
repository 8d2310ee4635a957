// Runs a topology: the embedded nats-server when asked, every node (in this process
// or one child process each), the actors, the timeline, and a report at the end.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "actors/runtime/actor_failure.hpp"
#include "actors/runtime/node.hpp"
#include "actors/runtime/node_config.hpp"
#include "actors/runtime/deploy/credentials.hpp"
#include "actors/runtime/deploy/topology.hpp"

namespace troupe {

class kind_registry;

// What a run leaves for a program that runs it (a bench): the verdict, the restarts and,
// for nodes run in this process, each node's counters at its stop.
struct run_summary {
  bool ok = false;
  std::string verdict;
  std::vector<std::string> restarts;
  std::vector<std::pair<std::string, node_stats>> nodes;
};

struct run_options {
  std::string nats_url;      // overrides the topology's url when set
  double duration_s = -1;    // overrides runtime.duration_s when >= 0
  bool processes = false;    // one child process per node
  std::string self_exe;      // the troupe binary, for child processes
  std::string credentials_dir;  // identities from `troupe credentials`, for a server of your own
  int metrics_port = -1;     // overrides runtime.metrics_port when >= 0 (0: no metrics)
  std::string record_dir;    // overrides runtime.record_dir when set
  run_summary* summary = nullptr;  // filled at the end when set
};

// Returns the process exit code.
int run_deployment(const topology& topo, const run_options& options, const kind_registry& kinds);

struct node_run_options {
  std::string nats_url;
  double duration_s = 0;  // 0: until stopped
  // The deployment's start, shared by its processes so that emulated clocks agree; 0: now.
  int64_t epoch_unix_ns = 0;
  // The node's identity (`troupe credentials`); empty: the topology's shared
  // user/password/token, if any.
  std::string credentials_file;
  // Where its metrics are served; -1: runtime.metrics_port + 1 + the node's index (or
  // none when that is 0); 0: none.
  int metrics_port = -1;
  std::string record_dir;  // overrides runtime.record_dir when set
};

// One node of a topology (`troupe node`), until stopped or the duration passes.
int run_node(const topology& topo, const std::string& node_name, const node_run_options& options,
             const kind_registry& kinds);

// who: the node's own identity; nullptr: the topology's shared credentials.
// How a node (or a tool) connects: the URL, the shared or its own identity, and TLS as
// the topology and the identity say.
bus_options bus_for(const nats_settings& nats, const std::string& url, const credential* who);

node_config node_config_for(const topology& topo, const std::string& node_name,
                            const std::string& nats_url, int64_t epoch_unix_ns,
                            const kind_registry& kinds, const credential* who = nullptr);

// A run fails when an actor failed to spawn or crashed (a source that gave up), or a
// node is down at the end that the timeline did not kill.
struct run_verdict {
  bool ok = true;
  std::string text;  // "run ok: ..." or "run FAILED: N problem(s)" and one line each
};
// node_problems: "node x: ..." lines of what went wrong on a node itself (messages the
// server's permissions refused, a node process that exited with an error).
run_verdict judge_run(const topology& topo, const std::vector<actor_failure>& failures,
                      const std::vector<std::pair<std::string, std::string>>& down,
                      const std::vector<std::string>& node_problems = {});

// Set by SIGINT/SIGTERM once install_stop_signals() ran.
bool stop_requested();
void install_stop_signals();

}  // namespace troupe
