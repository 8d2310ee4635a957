// Topology files: the YAML a user writes to describe a deployment. Loading checks
// everything (unknown keys, missing or mistyped fields, dangling and duplicate names,
// each kind's parameters) and reports `file:line:column: message` for each problem.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "actors/runtime/emulation/tbf.hpp"
#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/params.hpp"
#include "actors/runtime/restart_policy.hpp"
#include "actors/runtime/deploy/yaml_checker.hpp"

namespace troupe {

class kind_registry;

// TLS to the NATS server (docs/security.md). With the embedded server a per-run
// authority signs the server's certificate and each identity's client certificate.
struct tls_settings {
  bool on = false;
  std::string ca;        // PEM file of the CAs that sign a server of your own (else the credentials')
  std::string hostname;  // the name the server's certificate must carry; empty: the URL's host when a name
};

struct nats_settings {
  std::string url = "embedded";  // or nats://host:port
  // identities: the embedded server gets a per-run identity for every node, each
  // allowed only its part (docs/security.md); none: an open server.
  enum class auth_mode { identities, none };
  auth_mode auth = auth_mode::identities;
  std::string user, password, token;  // one shared identity (a server of your own)
  std::string server_binary = "nats-server";  // for embedded
  tls_settings tls;
};

struct runtime_settings {
  int heartbeat_ms = 500;
  int heartbeat_misses = 4;
  int suspicion_ms = 500;       // a silent node is suspected and probed this long before it is declared down
  int heartbeat_delay_window_ms = 30000;  // silence counts back by our own heartbeats' worst delay over this
  int request_timeout_ms = 2000;
  int control_retries = 3;      // timeline control requests retried this often
  int max_envelope_bytes = 0;   // 0: the server's max payload
  // Letters a node publishes within this many µs of its last go out together, several to
  // one subject in one NATS message (bus/outbox.hpp); 0: each on its own.
  int bus_coalesce_us = 50;
  int bus_batch_bytes = 16384;  // at most this much in one NATS message of several letters
  int bus_queue_bytes = 1 << 20;  // a sender waits while this much is queued
  std::string trace_file;       // empty: no recording
  double trace_sample = 1.0;
  std::string scheduler = "sharing";
  int workers = 0;
  int worker_nice = 5;          // the actors' threads this much nicer than liveness and NATS I/O
  int source_nice = 10;         // emulated cameras' threads this much nicer than other actors'
  bool source_idle = false;     // ... or run only when nothing else wants the CPU (SCHED_IDLE)
  std::string output_dir = "."; // actors spawned on request write only inside it
  double duration_s = 0;        // 0: until interrupted or every actor has exited
  double time_scale = 1;        // > 1: emulated clock, deployment time runs this much slower
  int drain_ms = 5000;          // at the end, wall time each stop stage (cameras, replicas, sinks) may take
  int startup_ms = 30000;       // wall time every node may take to come up before deployment time 0
  // Prometheus scrape targets (docs/metrics.md); 0: none. In one process every node is
  // served on this port; with one process per node, the run's own on it and node i on
  // metrics_port + 1 + i.
  int metrics_port = 0;
  std::string metrics_address = "127.0.0.1";  // loopback unless asked: the metrics name every actor
  std::string record_dir;  // not empty: every actor's inputs kept there for `troupe replay`
};

// A node's network interface in one direction, shaped as tc's tbf shapes one
// (docs/topology.md): every flow out of (uplink) or into (downlink) the node shares it.
struct interface_spec {
  tbf_settings tbf;
  std::string bandwidth_trace;  // optional "time_s,bandwidth_mbps" file replacing tbf's rate
  double trace_offset_s = 0;    // where in the trace deployment time 0 falls
};

struct node_spec {
  std::string name{};
  std::optional<interface_spec> uplink{}, downlink{};
  // Under --processes, a node process that ends before the run does is started again.
  restart_spec restart{restart_spec::policy::permanent};
  source_pos pos{};
};

struct actor_spec {
  std::string name, kind, node;
  params args;
  restart_spec restart;  // a crashed actor is spawned again on its node (default: never)
  source_pos pos;
  std::map<std::string, source_pos> param_pos;  // where each parameter's value is
};

struct link_spec {
  std::string from, to;
  double bandwidth_mbps = 0;    // 0 without a trace: latency only
  double latency_ms = 0;
  std::string bandwidth_trace;  // optional "time_s,bandwidth_mbps" file replacing bandwidth_mbps
  double trace_offset_s = 0;    // where in the trace deployment time 0 falls
  source_pos pos;
};

struct timeline_event {
  enum class action { spawn, stop, kill_node, restore_node };
  double at_s = 0;
  action what = action::spawn;
  std::string target;  // actor (spawn, stop) or node (kill_node, restore_node)
  actor_spec actor;    // for spawn
  source_pos pos;
};
const char* to_string(timeline_event::action a);

struct topology {
  std::string file;
  std::string deployment;
  nats_settings nats;
  runtime_settings runtime;
  std::vector<node_spec> nodes;
  std::vector<actor_spec> actors;
  std::vector<link_spec> links;
  std::vector<timeline_event> timeline;

  const node_spec* find_node(const std::string& name) const;
  std::vector<actor_spec> actors_on(const std::string& node) const;
};

// The topology's actors and those its timeline spawns.
std::vector<const actor_spec*> every_actor(const topology& t);
// What an actor of a kind that spawns at run time will spawn; nullopt for other kinds
// (and for parameters its spawn will refuse).
std::optional<spawn_plan> planned_spawns(const actor_spec& a, const kind_registry& kinds);

using topology_error = file_error;

struct topology_result {
  std::optional<topology> topo;  // set only when errors is empty
  std::vector<topology_error> errors;
};

topology_result load_topology(const std::string& path, const kind_registry& kinds,
                              input_files files = input_files::must_exist);
topology_result parse_topology(const std::string& text, const std::string& file,
                               const kind_registry& kinds, input_files files = input_files::must_exist);

}  // namespace troupe
