// When a supervised thing (a node process, an actor) that ended is started again: OTP's
// restart types and intensity/period, with Ray-style backoff between attempts. A pure
// state machine: it says what to do and never acts.
#pragma once

#include <string>
#include <vector>

namespace troupe {

struct restart_spec {
  // permanent: always restarted; transient: only after an abnormal end (OTP's words);
  // never: left ended.
  enum class policy { permanent, transient, never };
  policy when = policy::never;
  int max_restarts = 3;      // more restarts than this within period_s: give up (OTP intensity)
  double period_s = 60;      // OTP period
  int backoff_ms = 100;      // delay before the first restart in a period, doubled for each further one
  int max_backoff_ms = 5000;
};
const char* to_string(restart_spec::policy p);

class restart_tracker {
 public:
  explicit restart_tracker(restart_spec spec) : spec_(spec) {}

  struct decision {
    enum class action { restart, give_up, leave };
    action what = action::leave;
    int delay_ms = 0;  // for restart: wait this long first
    std::string why;   // for the log and the report
  };
  // The supervised thing ended at now_s (seconds, any monotonic origin); abnormal: a
  // crash, a kill or a non-zero exit.
  decision on_end(bool abnormal, double now_s);
  int restarts() const { return total_; }

 private:
  restart_spec spec_;
  std::vector<double> recent_;  // restart times within the period
  int total_ = 0;
};

}  // namespace troupe
