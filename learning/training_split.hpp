// How every trainer splits recorded time series (train-forecaster, train-octocross): a
// window belongs to the part its labels end in — training first, then a validation
// part that picks the epoch kept (short traces overfit long before the last epoch),
// then a held-out part that only scores the result against the naive forecast.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace troupe::learning {

enum class split_part { train, validation, held_out };

struct time_split {
  double validation = 0.1;  // 0: keep the last epoch
  double held_out = 0.2;

  // Throws naming `who` when the shares leave nothing to train on.
  void check(const std::string& who) const {
    if (validation < 0 || held_out < 0 || validation + held_out >= 1)
      throw std::runtime_error(who + ": validation " + std::to_string(validation) + " and held-out " +
                               std::to_string(held_out) + " must be shares of a trace that leave some to train on");
  }

  // The part of a `length`-long series a window whose labels end before `label_end` is in.
  split_part of(size_t label_end, size_t length) const {
    auto held_from = size_t(double(length) * (1 - held_out));
    auto validation_from = size_t(double(length) * (1 - held_out - validation));
    return label_end <= validation_from ? split_part::train
           : label_end <= held_from     ? split_part::validation
                                        : split_part::held_out;
  }
};

}  // namespace troupe::learning
