// `troupe replay DIR --only NAME|KIND`: re-feeds actors the exact letters they received
// in a run recorded with `troupe run --record DIR`, in their order and (unless at most
// speed) at their recorded times, on a node of their own with every other actor of the
// topology stood in for by one that keeps what it is sent; then compares what the
// replayed actors sent with what the live run's receivers recorded from them.
#pragma once

#include <string>
#include <vector>

#include "actors/runtime/trace/input_log.hpp"

namespace troupe {

class kind_registry;

struct replay_options {
  std::string dir;
  std::vector<std::string> only;  // actor names or kinds
  bool max_speed = false;         // no waiting between inputs
  double settle_s = 2;            // after the last input: how long outputs may still come
  // "key=value" (YAML values) set on every replayed actor: e.g. an output its live run
  // did not write (`trace=sched.csv`: an OctoCross scheduler's training data from a real
  // run). A file it names lands in DIR/replay/ like every other output.
  std::vector<std::string> params;
};

// One message an actor sent: where to (an actor, or "topic:NAME") and what.
struct sent_message {
  std::string to;
  letter what;
};

// How a replay's outputs compare with the live run's, in order.
struct output_comparison {
  size_t live = 0, replayed = 0;
  size_t identical = 0;  // the leading outputs equal in destination, type and body
  std::string first_difference;  // empty when every live output was replayed identically
  bool same() const { return identical == live && first_difference.empty(); }
};
output_comparison compare_outputs(const std::vector<sent_message>& live, const std::vector<sent_message>& replayed);

// What actor `sender` sent in the recorded run, in its own order (its sequence numbers),
// as the receivers on every recording node kept it: a publish heard by several
// subscribers counts once.
std::vector<sent_message> live_outputs(const std::vector<recorded_input>& all, const std::string& sender);

// Returns the process exit code: 0 when every replayed actor sent what it sent live,
// 1 when not (each difference printed), 2 for a usage error (no such actor or kind).
int replay_recorded(const replay_options& options, const kind_registry& kinds);

}  // namespace troupe
