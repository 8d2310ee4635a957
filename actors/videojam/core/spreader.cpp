#include "actors/videojam/core/spreader.hpp"

#include <algorithm>

namespace troupe::videojam {

void offload_spreader::begin_window(const std::map<std::string, double>& owed, double arriving) {
  owed_.clear();
  arriving = std::max(1.0, arriving);
  for (auto& [receiver, items] : owed)
    owed_[receiver] = {items, std::min(1.0, items / arriving), 0};
}

std::string offload_spreader::pick() {
  for (auto& [receiver, d] : owed_) {
    if (d.items < 1)
      continue;
    d.credit += d.share;
    if (d.credit >= 1) {
      d.credit -= 1;
      d.items -= 1;
      return receiver;
    }
  }
  return {};
}

void offload_spreader::drop(const std::string& receiver) {
  owed_.erase(receiver);
}

bool offload_spreader::owes() const {
  return std::any_of(owed_.begin(), owed_.end(), [](auto& o) { return o.second.items >= 1; });
}

}  // namespace troupe::videojam
