// The server's inference cost of a configuration (penance.txt §3.4.1, eq. 2's C(r, v)):
// the model's multiply-accumulates on one frame at the setting's scale, over model 0's
// at scale 1. The QP does not change it.
#pragma once

#include <vector>

#include "actors/penance/core/config_space.hpp"

namespace troupe::penance {

class cost_table {
 public:
  // macs[v][k]: multiply-accumulates of model v on one frame at the space's k-th scale.
  // Throws std::invalid_argument when the shape is not models × scales or a value is
  // not positive.
  cost_table(const config_space& space, const std::vector<std::vector<double>>& macs);

  double operator()(size_t config) const { return cost_[config]; }  // C(r, v)
  const std::vector<double>& per_config() const { return cost_; }
  double reference_macs() const { return reference_; }  // MACs(model 0, scale 1)

 private:
  std::vector<double> cost_;
  double reference_;
};

}  // namespace troupe::penance
