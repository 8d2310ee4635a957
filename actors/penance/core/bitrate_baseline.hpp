// Table 1's baseline for segment sizes (penance.txt §4.2): the next segment's size at
// the base setting forecast by an AR(1) of the last one, every other setting by its
// median ratio to the base. It sees no pixels, which is what the estimator adds.
#pragma once

#include <cstddef>
#include <vector>

namespace troupe::penance {

// sizes[video][segment][setting], bytes.
using size_table = std::vector<std::vector<std::vector<double>>>;

struct ar1 {
  double c = 0, phi = 0;
  double predict(double last) const { return c + phi * last; }
};

// Least squares of x_{t+1} = c + φ x_t over every consecutive pair of every series; a
// series with no spread gives φ = 0 and c its mean. Throws with no pair.
ar1 fit_ar1(const std::vector<std::vector<double>>& series);

class bitrate_baseline {
 public:
  // Fits the AR(1) on the base setting's sizes and, per setting, the median of its size
  // over the base's across all segments.
  bitrate_baseline(const size_table& training, size_t base_setting);

  // Every setting's size for the segment after one of `last_base_bytes` at the base.
  std::vector<double> predict(double last_base_bytes) const;
  const std::vector<double>& ratios() const { return ratios_; }
  const ar1& base_model() const { return ar1_; }

 private:
  size_t base_;
  ar1 ar1_;
  std::vector<double> ratios_;
};

// |predicted − true| / true per segment and setting, from each video's second segment
// on (the first has no last size), in percent.
std::vector<double> baseline_errors(const bitrate_baseline& b, const size_table& test, size_t base_setting);

}  // namespace troupe::penance
