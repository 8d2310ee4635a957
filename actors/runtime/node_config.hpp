// Everything a node needs to start; filled from a topology or by hand.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/runtime/bus/bus_connection.hpp"
#include "actors/runtime/bus/outbox.hpp"
#include "actors/runtime/emulation/link_model.hpp"
#include "actors/runtime/emulation/token_bucket.hpp"

namespace troupe {

class clock;
class kind_registry;

struct node_config {
  std::string deployment = "troupe";
  std::string name;
  bus_options bus;
  outbox_options outbox;  // letters queued behind each other go out together
  std::chrono::milliseconds heartbeat_interval{500};
  int heartbeat_misses = 4;  // suspected after misses × interval of silence, and probed
  std::chrono::milliseconds suspicion{500};  // still silent this much later: declared down
  // Silence is measured back by the worst delay of our own heartbeats over this window
  // (silence_horizon.hpp).
  std::chrono::milliseconds heartbeat_delay_window{30000};
  std::chrono::milliseconds request_timeout{2000};
  size_t max_envelope_bytes = 0;  // 0: the server's max payload
  std::string trace_file;         // empty: no recording
  // Count messages and bytes per sender and receiver (troupe_flow_*, docs/metrics.md):
  // on when the node's metrics are served. The rest of the metrics are counted always.
  bool flow_metrics = false;
  // Not empty: every letter a local actor receives is kept in <record_dir>/<name>.inputs
  // (trace/input_log.hpp), for `troupe replay`.
  std::string record_dir;
  double trace_sample = 1.0;      // fraction of traces recorded
  std::string scheduler = "sharing";  // CAF scheduler policy: sharing or stealing
  size_t workers = 0;                 // CAF worker threads; 0: one per core
  // Niceness of every thread CAF starts (its workers and detached actors: cameras,
  // replicas), above the node's liveness and NATS threads so that work never starves
  // heartbeats; 0: the same as theirs.
  int worker_nice = 5;
  // Emulated sources (camera loops) this much nicer still: on one host they stand for
  // devices of their own and must not starve the deployment they feed; a camera that
  // cannot keep its rate falls behind, as its pace reports.
  int source_nice = 10;
  // Or, true: they run only when no other thread wants the CPU (SCHED_IDLE): hundreds of
  // camera threads at any niceness still outweigh one liveness thread.
  bool source_idle = false;
  // Where actors spawned on request may write (their `output` parameters); relative to
  // the node's working directory.
  std::string output_dir = ".";
  const kind_registry* kinds = nullptr;
  std::shared_ptr<clock> time;  // the real clock when empty
  // Emulated links from this node to others: sends to their actors take the link's time.
  std::vector<std::pair<std::string, link_model>> links;
  // The node's shaped interfaces (tc tbf), shared by every flow out of / into it.
  std::optional<token_bucket> uplink, downlink;
  int64_t epoch_unix_ns = 0;  // deployment time 0, for bandwidth traces; 0: the node's start
  // Nodes whose spawn and stop requests this node obeys; empty: any (a node made by hand).
  std::vector<std::string> controllers;
};

}  // namespace troupe
