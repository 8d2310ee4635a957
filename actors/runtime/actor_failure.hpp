// An actor of the deployment that could not be spawned or that crashed: what a run
// reports at its end and what makes it exit non-zero.
#pragma once

#include <string>

namespace troupe {

struct actor_failure {
  std::string actor, node;
  std::string kind;    // empty when only its exit was seen
  std::string reason;  // "spawn: ..." or "crash: ..."
};

// Whether an exit reason ("normal", "stopped", "crash: ...") is a crash.
inline bool is_crash(const std::string& reason) {
  return reason.rfind("crash", 0) == 0;
}

}  // namespace troupe
