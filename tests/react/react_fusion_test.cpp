// REACT's fusion (react.txt, Algorithm 1) on crafted detection lists, its main
// tracker's decay, and the linear sum assignment it rests on against brute force.
#include <algorithm>
#include <numeric>
#include <random>

#include <gtest/gtest.h>

#include "actors/react/core/linear_assignment.hpp"
#include "actors/react/core/fusion.hpp"

using namespace troupe;
using react::source;

namespace {

vision::detection box(float x, float y, int label, float score) { return {{x, y, 40, 80}, label, score}; }

double total(const std::vector<std::vector<double>>& w, const std::vector<int>& column_of) {
  double sum = 0;
  for (size_t r = 0; r < column_of.size(); ++r)
    if (column_of[r] >= 0)
      sum += w[r][size_t(column_of[r])];
  return sum;
}

// Best total over every injective map of the smaller side into the larger.
double brute_force(const std::vector<std::vector<double>>& w) {
  size_t rows = w.size(), cols = w[0].size();
  std::vector<int> perm(std::max(rows, cols));
  std::iota(perm.begin(), perm.end(), 0);
  double best = 0;
  do {
    double sum = 0;
    for (size_t r = 0; r < rows; ++r)
      if (size_t(perm[r]) < cols)
        sum += w[r][size_t(perm[r])];
    best = std::max(best, sum);
  } while (std::next_permutation(perm.begin(), perm.end()));
  return best;
}

}  // namespace

TEST(LinearAssignment, MatchesBruteForceOnSmallMatrices) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < 300; ++trial) {
    size_t rows = 1 + rng() % 6, cols = 1 + rng() % 6;
    std::vector<std::vector<double>> w(rows, std::vector<double>(cols));
    for (auto& r : w)
      for (auto& x : r)
        x = u(rng) < 0.3 ? 0 : u(rng);  // sparse, like a thresholded IoU matrix
    auto a = max_weight_assignment(w);
    ASSERT_EQ(a.size(), rows);
    std::vector<int> used;
    for (int c : a)
      if (c >= 0)
        used.push_back(c);
    std::sort(used.begin(), used.end());
    EXPECT_EQ(std::adjacent_find(used.begin(), used.end()), used.end()) << "a column used twice";
    EXPECT_EQ(used.size(), std::min(rows, cols));
    EXPECT_NEAR(total(w, a), brute_force(w), 1e-9) << "trial " << trial;
  }
}

TEST(LinearAssignment, PrefersTheGlobalBestOverTheGreedyPair) {
  // Greedy takes 0.9 (row 0 → column 0) and is left with 0.1; the optimum is 0.8 + 0.8.
  auto a = max_weight_assignment({{0.9, 0.8}, {0.8, 0.1}});
  EXPECT_EQ(a[0], 1);
  EXPECT_EQ(a[1], 0);
  EXPECT_TRUE(max_weight_assignment({}).empty());
}

TEST(ReactFusion, CloudGivesItsLabelToTheCurrentBox) {
  std::vector<react::object> current = {{box(100, 100, 0, 0.7f), source::edge}};
  auto cloud = box(104, 102, 3, 0.9f);  // IoU 0.78 with the current box, another label
  auto out = react::fuse(current, {cloud}, source::cloud, {0.5, 0.9});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].det.label, 3);                       // label from the cloud
  EXPECT_FLOAT_EQ(out[0].det.box.x, 100);                // box from the current object
  EXPECT_NEAR(out[0].det.score, 0.9 * 0.9, 1e-6);        // new score, decayed once
  EXPECT_EQ(out[0].last_source, source::cloud);
}

TEST(ReactFusion, EdgeKeepsTheCurrentLabelOnItsOwnBox) {
  std::vector<react::object> current = {{box(100, 100, 3, 0.8f), source::cloud}};
  auto out = react::fuse(current, {box(106, 100, 0, 0.6f)}, source::edge, {0.5, 1.0});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].det.label, 3);            // the cloud's label survives the mismatch
  EXPECT_FLOAT_EQ(out[0].det.box.x, 106);    // the edge's fresher box
  EXPECT_FLOAT_EQ(out[0].det.score, 0.6f);
  EXPECT_EQ(out[0].last_source, source::edge);
}

TEST(ReactFusion, StaleObjectsOfTheSameSourceAreReplaced) {
  // Two old edge objects; the new edge detections see only one of them, moved.
  std::vector<react::object> current = {{box(100, 100, 0, 0.6f), source::edge},
                                        {box(300, 100, 0, 0.6f), source::edge},
                                        {box(500, 300, 2, 0.7f), source::cloud}};
  auto out = react::fuse(current, {box(110, 100, 0, 0.8f)}, source::edge, {0.5, 1.0});
  ASSERT_EQ(out.size(), 2u);  // the cloud object stays, the edge ones are replaced by the new one
  EXPECT_EQ(out[0].last_source, source::cloud);
  EXPECT_FLOAT_EQ(out[1].det.box.x, 110);
  EXPECT_EQ(out[1].last_source, source::edge);
}

TEST(ReactFusion, UnmatchedNewObjectsAreAddedAndBelowThresholdIsNoMatch) {
  std::vector<react::object> current = {{box(100, 100, 0, 0.9f), source::cloud}};
  // Overlaps the current box with IoU 1/3 (below 0.5): a different object.
  auto beside = box(120, 100, 0, 0.7f);
  auto far = box(400, 400, 1, 0.8f);
  auto out = react::fuse(current, {beside, far}, source::edge, {0.5, 1.0});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0].det.box.x, 100);  // the current object, untouched
  EXPECT_FLOAT_EQ(out[0].det.score, 0.9f);
  EXPECT_EQ(out[0].last_source, source::cloud);
  EXPECT_FLOAT_EQ(out[1].det.box.x, 120);
  EXPECT_EQ(out[2].det.label, 1);
  EXPECT_EQ(out[2].last_source, source::edge);
}

TEST(ReactFusion, AssignmentIsGlobalNotGreedy) {
  // Current A (x 100) and B (x 112); new a (x 102) overlaps A by IoU 0.90 and B by
  // 0.60, new b (x 92) overlaps A by 0.67 and B by 0.33 (no match). Taking the best
  // pair first (A–a) would leave B and b apart; the assignment pairs A–b and B–a.
  std::vector<react::object> current = {{box(100, 100, 5, 0.9f), source::cloud},
                                        {box(112, 100, 6, 0.9f), source::cloud}};
  auto out = react::fuse(current, {box(102, 100, 0, 0.8f), box(92, 100, 0, 0.8f)}, source::edge, {0.5, 1.0});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].det.label, 5);
  EXPECT_FLOAT_EQ(out[0].det.box.x, 92);
  EXPECT_EQ(out[1].det.label, 6);
  EXPECT_FLOAT_EQ(out[1].det.box.x, 102);
}

TEST(ReactFusion, EmptySidesLeaveTheOtherAsItIs) {
  std::vector<react::object> current = {{box(100, 100, 0, 0.9f), source::cloud}};
  EXPECT_EQ(react::fuse(current, {}, source::edge, {}).size(), 1u);
  EXPECT_TRUE(react::fuse(current, {}, source::cloud, {}).empty());  // the cloud saw nothing any more
  auto out = react::fuse({}, {box(0, 0, 1, 0.7f)}, source::cloud, {});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].last_source, source::cloud);
}

TEST(ReactTracker, ScoresDecayEachFrameAndFallOutBelowTheThreshold) {
  std::vector<react::object> objects = {{box(0, 0, 0, 0.9f), source::cloud}, {box(50, 0, 0, 0.6f), source::edge}};
  react::decay_scores(objects, 0.9, 0.5);  // 0.81 and 0.54
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_NEAR(objects[1].det.score, 0.54, 1e-6);
  react::decay_scores(objects, 0.9, 0.5);  // 0.729 and 0.486: the second goes
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_NEAR(objects[0].det.score, 0.729, 1e-6);
}
