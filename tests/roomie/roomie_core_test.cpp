// ROOMIE's pure core against hand-computed cases: the greedy pairwise estimate (Alg. 2,
// Eqs. 4.7–4.12), each placement policy's rule, and the optimum against every
// assignment.
#include <cmath>
#include <limits>
#include <random>

#include <gtest/gtest.h>

#include "actors/roomie/core/interference_estimate.hpp"
#include "actors/roomie/core/placement.hpp"
#include "gpu_fixtures.hpp"

using namespace troupe::gpu;
using namespace troupe::gpu::testing;
using namespace troupe::roomie;

namespace {

model_profile model(const std::string& id, std::vector<kernel> kernels) {
  kernel_trace t;
  t.file = id;
  t.model = id;
  t.input = 1;
  t.batch = 1;
  t.mem_mb = 100;
  t.kernels = std::move(kernels);
  auto p = profile_of(t, sm80());
  p.id = id;
  return p;
}

}  // namespace

// Alg. 2 by hand: i = [register-bound 100 µs, GEMM 100 µs], j = [shared-memory-bound
// ×2, 100 µs each]. With q = 2 and n = 8 the starts are 0,0,0,0,1,1,1,1: 16 walks each
// from (0,0), (0,1), (1,0), (1,1). Only GEMM meets the shared-memory kernel over Φ
// (166 KiB of smem), adding 100·0.25/(0.25+0.03125) = 88.9 µs to i; the walk from (0,1)
// never meets it: 48 × 88.9 and 16 × 0, median 88.9, μ_i = 88.9/200.
TEST(RoomieEstimate, PairDelaysAreTheMedianOfLockstepWalks) {
  auto i = model("i", {reg_bound(100), gemm(100)});
  auto j = model("j", {smem_bound(100), smem_bound(100)});
  EXPECT_EQ(starting_kernels(2, 8), (std::vector<size_t>{0, 0, 0, 0, 1, 1, 1, 1}));
  EXPECT_NEAR(pair_delay(i, j, 8), 800.0 / 9, 1e-9);
  EXPECT_NEAR(pair_delay(j, i, 8), 100.0 / 9, 1e-9);  // 100·0.03125/0.28125 from (0,0), (0,1), (1,1)
  delay_cache cache(8);
  auto mu = performance_drop({&i, &j}, cache);
  EXPECT_NEAR(mu[0], 800.0 / 9 / 200, 1e-9);
  EXPECT_NEAR(mu[1], 100.0 / 9 / 200, 1e-9);
  EXPECT_EQ(cache.size(), 2u);
  auto short_j = model("short", {smem_bound(100)});  // γ_i,short = q_i / q_short = 2 (Eq. 4.11)
  auto with_short = performance_drop({&i, &short_j}, cache);
  EXPECT_NEAR(with_short[0], 2 * pair_delay(i, short_j, 8) / 200, 1e-9);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
}

namespace {

// Usher's memory intensity comes from DRAM bytes: give a kernel some.
kernel with_bytes(kernel k, int64_t bytes) {
  k.dram_bytes = bytes;
  return k;
}

gpu_slot gpu(double memory_mb, std::vector<const model_profile*> hosted) {
  gpu_slot g;
  g.memory_mb = memory_mb;
  g.hosted = std::move(hosted);
  return g;
}

}  // namespace

// One kernel each: the register-bound and the shared-memory-bound fit together (μ̄ 0);
// a GEMM and the shared-memory-bound exceed the SM's shared memory (μ̄ = (0.889 +
// 0.111)/2 = 0.5). ROOMIE goes where μ̄ is least and below λ; INFaaS, blind to it, to
// the freer GPU; Usher to the GPU with fewest replicas of the arrival's class.
TEST(RoomiePlacement, EachPolicyPlacesByItsOwnRule) {
  auto r = model("r", {with_bytes(reg_bound(100), 1000000)});
  auto g = model("g", {with_bytes(gemm(100), 1000000)});
  auto s = model("s", {with_bytes(smem_bound(100), 100000000)});
  std::vector<const model_profile*> catalogue{&r, &g, &s};
  delay_cache cache;
  EXPECT_NEAR(mean_drop({&g, &s}, cache), 0.5, 1e-9);
  EXPECT_NEAR(mean_drop({&r, &s}, cache), 0.0, 1e-9);
  std::vector<gpu_slot> cluster{gpu(1000, {&r}), gpu(2000, {&g})};
  auto roomie = make_placement_policy(placement_kind::roomie, 0.5, catalogue, cache);
  auto infaas = make_placement_policy(placement_kind::infaas, 0.5, catalogue, cache);
  auto usher = make_placement_policy(placement_kind::usher, 0.5, catalogue, cache);
  EXPECT_EQ(roomie->place(cluster, s).gpu, std::optional<size_t>(0));
  EXPECT_EQ(infaas->place(cluster, s).gpu, std::optional<size_t>(1)) << "the most free memory";
  cluster[0].hosted.push_back(&s);
  EXPECT_EQ(infaas->place(cluster, s).gpu, std::optional<size_t>(0)) << "a GPU that hosts the model already";
  // Usher: r and g are compute-heavy (c/median c = 1 ≥ u/median u = 1), s memory-heavy.
  std::vector<gpu_slot> classes{gpu(4000, {&r}), gpu(1000, {&s})};
  EXPECT_EQ(usher->place(classes, g).gpu, std::optional<size_t>(1)) << "no compute-heavy replica there";
  // λ: 0.5 beside the GEMM is not below 0.5: deferred, as when no GPU has memory.
  EXPECT_FALSE(roomie->place({gpu(1000, {&g})}, s).gpu);
  EXPECT_FALSE(roomie->place({gpu(150, {&r})}, s).gpu);
  EXPECT_THROW(require_fits_somewhere({gpu(10, {})}, s), std::runtime_error);  // s needs 100 MB
  EXPECT_THROW(make_placement_policy(placement_kind::roomie, std::nan(""), catalogue, cache), std::runtime_error);
  EXPECT_THROW(parse_placement_kind("random"), std::runtime_error);
}

// The subset DP against every assignment of up to six models to two and three GPUs.
TEST(RoomiePlacement, TheOptimumIsTheBestOfEveryAssignment) {
  std::mt19937 rng(7);
  std::vector<kernel (*)(double)> kinds{gemm, reg_bound, smem_bound, elementwise};
  for (int trial = 0; trial < 6; ++trial) {
    std::vector<model_profile> models;
    for (int m = 0; m < 6; ++m) {
      std::vector<kernel> ks;
      for (int k = 0; k < 1 + int(rng() % 4); ++k)
        ks.push_back(kinds[rng() % kinds.size()](10 + double(rng() % 90)));
      models.push_back(model("m" + std::to_string(trial) + "-" + std::to_string(m), ks));
    }
    std::vector<const model_profile*> set;
    for (auto& m : models)
      set.push_back(&m);
    delay_cache cache;
    for (int gpus : {2, 3}) {
      auto cost = [&](const std::vector<int>& where) {
        double total = 0;
        for (int g = 0; g < gpus; ++g) {
          std::vector<const model_profile*> group;
          for (size_t i = 0; i < set.size(); ++i)
            if (where[i] == g)
              group.push_back(set[i]);
          if (group.size() > 3)  // 3 × 100 MB per GPU of 300 MB
            return std::numeric_limits<double>::infinity();
          total += mean_drop(group, cache) * double(group.size());
        }
        return total;
      };
      double brute = std::numeric_limits<double>::infinity();
      std::vector<int> where(set.size(), 0);
      for (int code = 0; code < int(std::pow(gpus, int(set.size()))); ++code) {
        for (size_t i = 0, c = size_t(code); i < set.size(); ++i, c /= size_t(gpus))
          where[i] = int(c % size_t(gpus));
        brute = std::min(brute, cost(where));
      }
      auto best = optimum_partition(set, gpus, 300, cache);
      EXPECT_NEAR(cost(best), brute, 1e-9) << "trial " << trial << ", " << gpus << " GPUs";
    }
  }
  delay_cache cache;
  EXPECT_THROW(optimum_partition({}, 0, 300, cache), std::invalid_argument);
}
