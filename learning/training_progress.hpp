// What a training loop reports after each step or epoch; the caller decides how often
// to show it (the CLI draws a progress bar with elapsed time and an ETA).
#pragma once

#include <functional>
#include <string>

namespace troupe::learning {

struct training_progress {
  int done = 0, total = 0;  // steps or epochs
  double loss = 0;          // recent training loss
  std::string detail;       // e.g. the validation error
};

using progress_callback = std::function<void(const training_progress&)>;

}  // namespace troupe::learning
