#include "actors/runtime/restart_policy.hpp"

#include <algorithm>

namespace troupe {

const char* to_string(restart_spec::policy p) {
  switch (p) {
    case restart_spec::policy::permanent: return "permanent";
    case restart_spec::policy::transient: return "transient";
    case restart_spec::policy::never: return "never";
  }
  return "?";
}

restart_tracker::decision restart_tracker::on_end(bool abnormal, double now_s) {
  using A = decision::action;
  using P = restart_spec::policy;
  if (spec_.when == P::never || (spec_.when == P::transient && !abnormal))
    return {A::leave, 0, std::string("restart: ") + to_string(spec_.when) + (abnormal ? "" : ", ended normally")};
  // OTP: more than max_restarts within period_s and the supervisor gives up.
  recent_.erase(std::remove_if(recent_.begin(), recent_.end(), [&](double t) { return now_s - t > spec_.period_s; }),
                recent_.end());
  if (static_cast<int>(recent_.size()) >= spec_.max_restarts)
    return {A::give_up, 0,
            std::to_string(recent_.size()) + " restarts within " + std::to_string(static_cast<int>(spec_.period_s)) +
              " s already (max_restarts " + std::to_string(spec_.max_restarts) + "): given up"};
  long delay = spec_.backoff_ms;
  for (size_t i = 0; i < recent_.size() && delay < spec_.max_backoff_ms; ++i)
    delay *= 2;
  recent_.push_back(now_s);
  ++total_;
  return {A::restart, static_cast<int>(std::min<long>(delay, spec_.max_backoff_ms)),
          "restart " + std::to_string(total_)};
}

}  // namespace troupe
