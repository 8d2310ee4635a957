#include "actors/penance/core/cost.hpp"

#include <stdexcept>
#include <string>

namespace troupe::penance {

cost_table::cost_table(const config_space& space, const std::vector<std::vector<double>>& macs) {
  if (macs.size() != static_cast<size_t>(space.models()))
    throw std::invalid_argument("MACs for " + std::to_string(macs.size()) + " models, the space has " +
                                std::to_string(space.models()));
  for (size_t v = 0; v < macs.size(); ++v) {
    if (macs[v].size() != space.scales())
      throw std::invalid_argument("model " + std::to_string(v) + " has MACs for " + std::to_string(macs[v].size()) +
                                  " scales, the space has " + std::to_string(space.scales()));
    for (double m : macs[v])
      if (!(m > 0))
        throw std::invalid_argument("model " + std::to_string(v) + " has MACs " + std::to_string(m));
  }
  // The reference is model 0 at the largest scale, wherever that scale is listed.
  size_t largest = 0;
  for (size_t k = 1; k < space.scales(); ++k)
    if (space.raw().scales[k] > space.raw().scales[largest])
      largest = k;
  reference_ = macs[0][largest];
  for (size_t a = 0; a < space.configs(); ++a) {
    auto c = space.config_at(a);
    cost_.push_back(macs[static_cast<size_t>(c.model)][space.scale_index(c.setting)] / reference_);
  }
}

}  // namespace troupe::penance
