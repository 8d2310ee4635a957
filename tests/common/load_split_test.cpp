#include <gtest/gtest.h>

#include "actors/common/core/load_split.hpp"

using troupe::weighted_round_robin;

TEST(LoadSplit, WeightedRoundRobinInterleavesByWeight) {
  weighted_round_robin wrr;
  std::vector<int> picks(3, 0);
  std::vector<size_t> order;
  for (int i = 0; i < 12; ++i) {
    auto p = wrr.pick({1, 2, 3});
    ++picks[p];
    order.push_back(p);
  }
  EXPECT_EQ(picks, (std::vector<int>{2, 4, 6}));
  EXPECT_NE(order[0], order[1]);  // smooth: the heaviest is not picked twice in a row at the start
}

// A plan's row as weights: a share kept (position 0) and shares sent to each target;
// any prefix of the picks is within one item of the shares, and a 0 share gets nothing.
TEST(LoadSplit, FractionalSharesHoldWithinOneItemAtEveryPrefix) {
  weighted_round_robin wrr;
  std::vector<double> shares{0.55, 0.3, 0.15, 0};
  std::vector<int> picks(shares.size(), 0);
  for (int n = 1; n <= 1000; ++n) {
    ++picks[wrr.pick(shares)];
    for (size_t i = 0; i < shares.size(); ++i)
      ASSERT_LE(std::abs(picks[i] - shares[i] * n), 1.0) << "position " << i << " after " << n << " picks";
  }
  EXPECT_EQ(picks[3], 0);
}

TEST(LoadSplit, NoPositiveWeightPicksTheFirst) {
  weighted_round_robin wrr;
  EXPECT_EQ(wrr.pick({0, 0}), 0u);
  EXPECT_EQ(wrr.pick({}), 0u);
}
