// Penance's networks in libtorch: the segmenter built from its graph gives logits at its
// input's size, carries its graph, and L1 pruning keeps the strongest filters.
#include <gtest/gtest.h>

#include "learning/segmenter_network.hpp"

using namespace troupe;

TEST(SegmenterNetwork, LogitsAtTheInputSizeAndTheGraphTravelsWithIt) {
  auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
  auto m = learning::build_segmenter(g, 1);
  for (auto [h, w] : {std::pair{64, 96}, std::pair{45, 80}}) {
    auto out = m.forward({torch::rand({2, 3, h, w})}).toTensor();
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 8, h, w}));
  }
  EXPECT_EQ(learning::graph_of(m).serialise(), g.serialise());
}

TEST(SegmenterNetwork, PruningKeepsTheFiltersOfLargestL1Norm) {
  auto g = penance::pyramid_segmenter(8, {4, 8, 8, 16, 8});
  auto m = learning::build_segmenter(g, 2);
  auto pruned = learning::prune_segmenter(m, 0.5);
  auto pg = learning::graph_of(pruned);
  EXPECT_EQ(pg.at("c1").out, 2);
  EXPECT_EQ(pg.classes(), 8);
  auto w = m.attr("w_c1").toTensor();
  auto kept = pruned.attr("w_c1").toTensor();
  auto order = std::get<1>(w.abs().sum({1, 2, 3}).topk(2));
  auto expected = w.index_select(0, std::get<0>(order.sort()));
  EXPECT_TRUE(torch::equal(kept, expected));
  // c2 reads only c1's kept channels.
  EXPECT_EQ(pruned.attr("w_c2").toTensor().size(1), 2);
  auto out = pruned.forward({torch::rand({1, 3, 48, 64})}).toTensor();
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 8, 48, 64}));
}
