// What a node's announcement does once check_announcement let it through: the
// directory's update, and what the node that heard it must then do. A pure step
// (node_core acts on it; the envelope fuzz harness runs it as the nodes do).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "actors/runtime/actor_failure.hpp"
#include "actors/runtime/bus/directory.hpp"
#include "actors/runtime/letter.hpp"

namespace troupe {

struct announcement_effect {
  std::vector<actor_loss> losses;        // tell their watchers
  std::optional<actor_failure> failure;  // record it: a crash or a failed spawn
  // answer: say hello (someone asked); ask: say hello asking everyone to answer (a node
  // unknown, returning or miscounted, or one that thinks we are dead).
  enum class hello { none, answer, ask } say = hello::none;
};

// `self`: the hearing node's name.
announcement_effect apply_announcement(const letter& l, directory& dir, const std::string& self, int64_t now_ns);

}  // namespace troupe
