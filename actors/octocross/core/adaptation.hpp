// Online adaptation (octocross.txt §3.3; Algorithm 1 lines 10–17 of the listing — the
// text's "lines 7–14" are off by three): a node that goes away is masked at once and
// given a grace period (150 s; the text's "GradePeriod"); back in time, it is unmasked;
// not back, the model is finetuned without it. A node the model was not trained with
// joins at once, and the model is finetuned once `collect_s` of its data are in (the
// paper samples 48 h; its Fig. 8 run 0, for which the scheduler waits the 2τ a window
// with labels needs); time away in a grace period pauses the collection, does not end
// it. A state machine that returns what happened: the scheduler acts on the events.
#pragma once

#include <cstddef>
#include <vector>

namespace troupe::octocross {

struct adaptation_settings {
  double grace_s = 150;
  double collect_s = 48 * 3600;       // the paper's; its Fig. 8: 0
  bool finetune_on_return = false;    // ⚑ the paper finetunes even when the node returns; its data changed nothing
};

struct adaptation_event {
  enum class what { joined, masked, unmasked, finetune_lost, finetune_joined };
  what kind;
  size_t node;
  bool operator==(const adaptation_event& o) const { return kind == o.kind && node == o.node; }
};

class adaptation {
 public:
  // `trained_on`: the nodes the model knows; the others are new when they join.
  adaptation(std::vector<bool> trained_on, adaptation_settings s);

  // Fresh stats from `node` at `t_s`.
  std::vector<adaptation_event> seen(size_t node, double t_s);
  // `node` went away (it exited, or its stats are stale).
  std::vector<adaptation_event> lost(size_t node, double t_s);
  // Time passes: grace periods and collections that end.
  std::vector<adaptation_event> tick(double t_s);

  bool up(size_t node) const { return phase_[node] == phase::up; }
  std::vector<bool> mask() const;  // true: up

 private:
  enum class phase { unseen, up, in_grace, gone };
  adaptation_settings s_;
  std::vector<bool> known_;        // trained on, or finetuned with
  std::vector<phase> phase_;
  std::vector<double> since_s_;      // when the grace period began
  std::vector<bool> collecting_;     // a new node whose finetune is not due yet
  std::vector<double> collected_s_;  // of its collection, up to its last sample
};

}  // namespace troupe::octocross
