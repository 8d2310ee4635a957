#include "actors/videojam/core/spreader.hpp"

#include <algorithm>

namespace troupe::videojam {

void offload_spreader::begin_window(const std::map<std::string, double>& owed, double arriving) {
  arriving = std::max(1.0, arriving);
  rotation_ = {};
  receivers_ = {""};  // position 0: the own queue
  items_ = {0};
  weights_ = {1};
  for (auto& [receiver, items] : owed)
    if (items >= 1) {
      receivers_.push_back(receiver);
      items_.push_back(items);
      weights_.push_back(std::min(1.0, items / arriving));
      weights_[0] -= weights_.back();
    }
  if (weights_[0] < 1e-9)
    weights_[0] = 0;  // the receivers take every arrival (rounding must not leave the queue a sliver)
}

std::string offload_spreader::pick() {
  auto i = rotation_.pick(weights_);
  if (i == 0)
    return {};
  if (--items_[i] < 1)
    weights_[i] = 0;  // paid: out of the rotation
  return receivers_[i];
}

void offload_spreader::drop(const std::string& receiver) {
  for (size_t i = 1; i < receivers_.size(); ++i)
    if (receivers_[i] == receiver)
      weights_[i] = 0;
}

bool offload_spreader::owes() const {
  return std::any_of(weights_.begin() + 1, weights_.end(), [](double w) { return w > 0; });
}

}  // namespace troupe::videojam
