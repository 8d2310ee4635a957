#include "actors/octocross/core/adaptation.hpp"

namespace troupe::octocross {

using what = adaptation_event::what;

adaptation::adaptation(std::vector<bool> trained_on, adaptation_settings s)
    : s_(s), known_(std::move(trained_on)), phase_(known_.size(), phase::unseen), since_s_(known_.size(), 0),
      collecting_(known_.size(), false), collected_s_(known_.size(), 0) {}

std::vector<adaptation_event> adaptation::seen(size_t node, double t_s) {
  std::vector<adaptation_event> out;
  switch (phase_[node]) {
    case phase::up:
      return out;
    case phase::in_grace:  // back in time (lines 11–13)
      out.push_back({what::unmasked, node});
      if (s_.finetune_on_return)
        out.push_back({what::finetune_lost, node});
      break;
    case phase::unseen:
    case phase::gone:
      out.push_back({what::joined, node});
      if (!known_[node]) {
        collecting_[node] = true;
        collected_s_[node] = 0;
      }
      break;
  }
  phase_[node] = phase::up;
  since_s_[node] = t_s;  // up from here: its collection runs on
  auto more = tick(t_s);  // a collection of 0 s is done at once
  out.insert(out.end(), more.begin(), more.end());
  return out;
}

std::vector<adaptation_event> adaptation::lost(size_t node, double t_s) {
  if (phase_[node] != phase::up)
    return {};
  if (collecting_[node])
    collected_s_[node] += t_s - since_s_[node];  // paused while it is away
  phase_[node] = phase::in_grace;
  since_s_[node] = t_s;
  return {{what::masked, node}};
}

std::vector<adaptation_event> adaptation::tick(double t_s) {
  std::vector<adaptation_event> out;
  for (size_t n = 0; n < phase_.size(); ++n) {
    if (phase_[n] == phase::in_grace && t_s - since_s_[n] >= s_.grace_s) {
      phase_[n] = phase::gone;  // not back: the model learns the cluster without it (line 14)
      collecting_[n] = false;   // it starts afresh if it joins again
      out.push_back({what::finetune_lost, n});
    } else if (phase_[n] == phase::up && collecting_[n] && collected_s_[n] + t_s - since_s_[n] >= s_.collect_s) {
      collecting_[n] = false;
      known_[n] = true;
      out.push_back({what::finetune_joined, n});
    }
  }
  return out;
}

std::vector<bool> adaptation::mask() const {
  std::vector<bool> up(phase_.size());
  for (size_t n = 0; n < phase_.size(); ++n)
    up[n] = phase_[n] == phase::up;
  return up;
}

}  // namespace troupe::octocross
