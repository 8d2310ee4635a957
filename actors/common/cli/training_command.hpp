// What every `troupe train-*` command shares: the output checked before any work, and a
// progress bar whose lines lead with the training's recent loss under the command's name
// for it (loss, train MSE, reward per step).
#pragma once

#include <string>
#include <utility>

#include "actors/runtime/progress_bar.hpp"
#include "learning/training_progress.hpp"

namespace troupe {

// "NAME 0.1234, DETAIL"; without a name, DETAIL.
std::string progress_detail(const std::string& loss_name, const learning::training_progress& p);

// `train(callback)` under a progress bar named `what`, returning what it returns.
template <class Train>
auto train_with_progress(const std::string& what, const std::string& loss_name, Train&& train) {
  progress_bar bar(what);
  return std::forward<Train>(train)([&](const learning::training_progress& p) {
    bar.update(p.done, p.total, progress_detail(loss_name, p));
  });
}

}  // namespace troupe
