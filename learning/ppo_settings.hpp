// Proximal Policy Optimization's settings (penance.txt §3.4.5): plain, so that a
// command's options hold them before the learning plugin (and torch) is loaded.
#pragma once

namespace troupe::learning {

struct ppo_settings {
  double clip = 0.2;         // ε
  double gamma = 0.9;        // γ
  double learning_rate = 1e-4;
  double entropy = 0.01;     // ⚑ unstated
  int epochs = 4;            // ⚑ unstated
  int minibatch = 32;
};

}  // namespace troupe::learning
