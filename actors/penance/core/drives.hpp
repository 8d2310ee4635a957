// Which synthetic drives train and which test (penance.txt §4.1.1: 200 min of training
// video, 40 of test; here 15 and 6 drives of 40 s, ⚑ for two cores). The segmenters,
// the table, the estimator and the adapter all split by these seeds, so nothing is
// tested on a drive any of them trained on.
#pragma once

#include <cstdint>
#include <vector>

namespace troupe::penance {

struct drive_split {
  uint64_t train_seed = 1;    // drives train_seed … train_seed + train − 1
  int train = 15;
  uint64_t test_seed = 1001;  // drives test_seed … test_seed + test − 1
  int test = 6;
  double drive_s = 40;        // a BDD100k video's length

  std::vector<uint64_t> train_seeds() const { return seeds(train_seed, train); }
  std::vector<uint64_t> test_seeds() const { return seeds(test_seed, test); }

 private:
  static std::vector<uint64_t> seeds(uint64_t first, int n) {
    std::vector<uint64_t> s;
    for (int i = 0; i < n; ++i)
      s.push_back(first + static_cast<uint64_t>(i));
    return s;
  }
};

}  // namespace troupe::penance
