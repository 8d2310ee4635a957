// The CRL adapter's self-competition reward (penance.txt §3.4.4, eqs. 7–8): the policy
// is rewarded for beating its own moving average of cost only while both constraints
// hold, and punished when one is violated.
#pragma once

namespace troupe::penance {

// ⚑ Eq. 8's ξ as written, max(1[U_i ≥ U_EMA], 1[O_i ≥ O_EMA]), also punishes a margin
// that merely shrinks; the text says it punishes violations. `violations` (default):
// ξ = 1[U_i > 0 ∨ O_i > 0]; `literal`: eq. 8 as printed.
enum class xi_mode { violations, literal };

struct reward_settings {
  double alpha = 0.2;  // the EMAs' weight of the newest step
  xi_mode xi = xi_mode::violations;
};

// One step's constraint terms.
struct step_terms {
  double u;  // U_i = A_i − λ_i: > 0 misses the accuracy target
  double o;  // O_i = b_i − B_i (MB/s): > 0 overruns the bandwidth
  double c;  // C_i, the normalised inference cost
};

struct reward {
  double value;  // r_i
  bool delta;    // δ_i: the constraints hold now and on average
  bool xi;       // ξ_i
};

// EMAs of U, O and C over an episode; a new episode resets them.
class self_competition {
 public:
  explicit self_competition(reward_settings s = {}) : s_(s) {}

  // r_i = sgn(C_EMA − C_i)·δ_i − ξ_i (eq. 7) against the EMAs of the earlier steps, then
  // the EMAs take this step. ⚑ The first step of an episode starts the EMAs at its own
  // terms, so it earns no cost term, and its ξ counts violations in either mode (eq. 8
  // against its own terms would always punish). ⚑ δ's "C_i ≤ 0" (eq. 8) is read as
  // O_i ≤ 0: the cost is positive by definition, and δ checks the constraints.
  reward step(step_terms t);
  void reset() { started_ = false; }

 private:
  reward_settings s_;
  bool started_ = false;
  step_terms ema_{};
};

}  // namespace troupe::penance
