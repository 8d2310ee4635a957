// ReMO's Region Scheduler decision for one slot (remo.txt, Algorithm 1): a Markov
// chain over schedules that moves one detected region to another camera at a time,
// accepting the move with probability η = 1 / (1 + e^{(ĝ − g)/τ}) — so it can accept
// worse states — and keeping the best state seen; it stops at the iteration cap or
// when ten moves in a row changed g by less than the stagnation threshold. Also the
// exact optimum by enumeration, for small instances.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "actors/remo/core/system_model.hpp"

namespace troupe::remo {

// A region of a frame that needs detection this slot: the scheduler picks its camera.
struct movable_region {
  int camera = 1, frame = 0, region = 0;
};

struct markov_settings {
  double tau = 0.1;              // τ, the paper's choice between exploration and convergence
  int max_iterations = 200;      // the iteration cap
  int stagnation_moves = 10;     // stop after this many moves in a row ...
  double stagnation_delta = 0.01;  // ... each changing g by less than this
};

struct decision {
  schedule x;
  double g = 0;        // objective (14) of x
  int iterations = 0;      // moves tried (schedules evaluated, for the exact search)
  int worse_accepted = 0;  // moves to a worse state the chain took
};

double acceptance(double g_new, double g_old, double tau);  // η of Algorithm 1, line 7
// The same value as objective(m, x, q), in one pass over the schedule.
double fast_objective(const slot_model& m, const schedule& x, double q);

decision markov_schedule(const slot_model& m, schedule start, const std::vector<movable_region>& movable,
                         double q, const markov_settings& settings, std::mt19937_64& rng);
// Every assignment of the movable regions to cameras: N^|movable| schedules.
decision exact_schedule(const slot_model& m, schedule start, const std::vector<movable_region>& movable, double q);

}  // namespace troupe::remo
