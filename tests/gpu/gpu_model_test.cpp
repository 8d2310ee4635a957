// The GPU model (gpu/model/) against hand-computed cases on the published sm_80 limits: a
// kernel's blocks per SM and occupancy (thesis Eq. 4.1), interference (4.2), the blocks
// each gets when kernels share an SM (§4.4.2), the co-run timeline's durations (4.3,
// 4.4), traces derived from operations, and errors in traces and limits named by file
// and line.
#include <gtest/gtest.h>

#include <cmath>

#include "gpu/model/co_run.hpp"
#include "gpu/model/trace_derivation.hpp"
#include "gpu_fixtures.hpp"
#include "test_support.hpp"

using namespace troupe::gpu;
using namespace troupe::gpu::testing;
using troupe::testing::write_temp;

TEST(GpuLimits, TheShippedLimitsAreThePublishedOnes) {
  auto archs = load_gpu_archs(std::string(TROUPE_SOURCE_DIR) + "/gpu/arch_limits.yaml");
  EXPECT_EQ(find_arch(archs, "sm_72").smem, 96 * 1024);
  EXPECT_EQ(find_arch(archs, "sm_72").sms, 8);
  EXPECT_EQ(find_arch(archs, "sm_80").smem, 164 * 1024);
  EXPECT_EQ(find_arch(archs, "sm_80").smem_reserved, 1024);
  EXPECT_EQ(find_arch(archs, "sm_90").sms, 132);
  EXPECT_THROW(find_arch(archs, "sm_61"), std::runtime_error);
}

TEST(GpuLimits, ABadLimitsFileIsNamedByLineAndColumn) {
  auto bad = write_temp("bad-archs.yaml", "archs:\n  - arch: sm_80\n    sms: 0\n");
  try {
    load_gpu_archs(bad);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(bad + ":3:10: 'sms' must be a positive number"), std::string::npos) << e.what();
  }
}

// Eq. 4.1 on sm_80: W_b = 8; registers 128·32 = 4096 a warp → 16 warps → 2 blocks;
// shared memory 48 KiB + 1 KiB reserved = 50176 B → 3 blocks; warps 64/8 = 8: b = 2,
// o = 16/64.
TEST(GpuOccupancy, BlocksAreTheTightestLimit) {
  auto g = cost(gemm(100));
  EXPECT_EQ(g.shape.warps, 8);
  EXPECT_EQ(g.shape.smem, 50176);
  EXPECT_EQ(g.blocks, 2);
  EXPECT_DOUBLE_EQ(g.occupancy, 0.25);
  EXPECT_EQ(g.footprint.regs, 65536);
  auto e = cost(elementwise(10));  // W_b = 4, 1024 registers a warp: 64 warps, 16 blocks
  EXPECT_EQ(e.blocks, 16);
  EXPECT_DOUBLE_EQ(e.occupancy, 1.0);
  auto s = cost(make("odd", 96, 33, 0, 1));  // 33·32 = 1056 → 1280 a warp: 51 warps → 48 (granule 4) → 16 blocks
  EXPECT_EQ(s.shape.regs_per_warp, 1280);
  EXPECT_EQ(s.blocks, 16);
}

// Eq. 4.2 and §4.4.2's shares.
TEST(GpuOccupancy, KernelsShareAnSmOnlyWhenTheyExceedIt) {
  auto g = cost(gemm(100)), e = cost(elementwise(10)), r = cost(reg_bound(100)), s = cost(smem_bound(100));
  EXPECT_EQ(adjusted_blocks({&r, &s}, share_policy::equal, sm80()), (std::vector<int>{2, 2}));  // 65536 regs, 165888 B
  // Two GEMMs need 2 × 65536 registers: dealt in turn, one block (32768) each.
  EXPECT_EQ(adjusted_blocks({&g, &g}, share_policy::equal, sm80()), (std::vector<int>{1, 1}));
  // GEMM and elementwise: one block each (36864 registers), then the GEMM's second no
  // longer fits and the elementwise takes 7 more of 4096: 1 and 8.
  EXPECT_EQ(adjusted_blocks({&g, &e}, share_policy::equal, sm80()), (std::vector<int>{1, 8}));
  // First come: the GEMM keeps its 2 blocks and every register, the elementwise waits.
  EXPECT_EQ(adjusted_blocks({&g, &e}, share_policy::fcfs, sm80()), (std::vector<int>{2, 0}));
  EXPECT_EQ(adjusted_blocks({&e, &g}, share_policy::priority, sm80()), (std::vector<int>{16, 0}));
  // Among three, an even split of the registers (21845) would hold no GEMM block; dealt
  // in turn the two GEMMs run a block each and the elementwise waits for one to end.
  EXPECT_EQ(adjusted_blocks({&g, &g, &e}, share_policy::equal, sm80()), (std::vector<int>{1, 1, 0}));
  EXPECT_THROW(parse_share_policy("fair"), std::runtime_error);
}

// Eqs. 4.3–4.4: a GEMM (100 µs) beside an elementwise kernel (50 µs), both at half
// speed (õ/o = 0.5): the elementwise ends at 100 µs, having slowed the GEMM for its
// Δ = 100 µs; the GEMM's other 50 µs run alone: 150 µs. First come: 100 then 150.
TEST(GpuCoRun, DurationsFollowTheAdjustedOccupancy) {
  std::vector<kernel_cost> a{cost(gemm(100))}, b{cost(elementwise(50))};
  auto run = co_run({{&a}, {&b}}, share_policy::equal, sm80());
  EXPECT_NEAR(run.finish_us[0], 150, 1e-6);
  EXPECT_NEAR(run.finish_us[1], 100, 1e-6);
  run = co_run({{&a}, {&b}}, share_policy::fcfs, sm80());
  EXPECT_NEAR(run.finish_us[0], 100, 1e-6);
  EXPECT_NEAR(run.finish_us[1], 150, 1e-6);
  std::vector<kernel_cost> two{cost(reg_bound(100)), cost(smem_bound(40))};
  // The GEMM starts at 30 µs, beside the register-bound kernel's last 70 µs (both at
  // half speed: it ends at 170), then beside the shared-memory kernel (half speed too):
  // its 100 µs take 140 + 60.
  run = co_run({{&two}, {&a, 0, 30}}, share_policy::equal, sm80());
  EXPECT_NEAR(run.finish_us[1], 230, 1e-6);
  EXPECT_NEAR(run.finish_us[0], 240, 1e-6) << "30 of the shared-memory kernel's 40 µs done at 230, 10 alone";
  // Looping, two GEMMs each run at half speed for ever: μ = 1.
  auto mu = steady_drop({&a, &a}, {0, 0}, share_policy::equal, sm80(), 1000);
  EXPECT_NEAR(mu[0], 1.0, 1e-9);
  EXPECT_NEAR(mu[1], 1.0, 1e-9);
}

// The timeline an emulated shared GPU drives: a GEMM (100 µs) alone for 40 µs, then an
// elementwise kernel (50 µs) beside it, both at half speed: the elementwise ends at
// 140, the GEMM's last 10 µs run alone to 150.
TEST(GpuCoRun, ATimelineAdvancesAsInferencesArrive) {
  std::vector<kernel_cost> a{cost(gemm(100))}, b{cost(elementwise(50))};
  gpu_timeline gpu(sm80(), share_policy::equal);
  auto first = gpu.start({&a});
  EXPECT_DOUBLE_EQ(gpu.next_event_us(), 100);
  EXPECT_TRUE(gpu.advance_to(40).empty());
  EXPECT_DOUBLE_EQ(gpu.next_finish_us(), 100);
  auto second = gpu.start({&b});
  EXPECT_NEAR(gpu.next_event_us(), 140, 1e-9);
  EXPECT_NEAR(gpu.next_finish_us(), 140, 1e-9);  // a prediction: the clock stays
  EXPECT_DOUBLE_EQ(gpu.now_us(), 40);
  auto done = gpu.advance_to(1000);
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0].id, second);
  EXPECT_NEAR(done[0].at_us, 140, 1e-9);
  EXPECT_NEAR(done[0].work_us, 50, 1e-9);
  EXPECT_EQ(done[1].id, first);
  EXPECT_NEAR(done[1].at_us, 150, 1e-9);
  EXPECT_EQ(gpu.running(), 0u);
  EXPECT_DOUBLE_EQ(gpu.now_us(), 1000);
  EXPECT_NEAR(gpu.busy_us(), 150, 1e-9);  // idle from 150 on
  EXPECT_TRUE(std::isinf(gpu.next_finish_us()));
  EXPECT_THROW(gpu.work_us(first), std::out_of_range);  // forgotten once reported
}

// Steps are taken relative to the clock: at 10^10 µs (three hours), where a double's
// step is 2·10^-6 µs, a looping 3 µs kernel still runs its 10^5 µs; and two GEMMs that
// never idle each run at half speed whatever their alignment (μ = 1).
TEST(GpuCoRun, ALateClockStillAdvancesAndAlignmentsAreDrawn) {
  std::vector<kernel_cost> a{cost(gemm(3))};
  gpu_timeline gpu(sm80(), share_policy::equal);
  gpu.advance_to(1e10);
  auto id = gpu.start({&a, 0, 0, true});
  gpu.advance_to(1e10 + 1e5);
  EXPECT_NEAR(gpu.work_us(id), 1e5, 1e-3);
  std::vector<kernel_cost> two{cost(gemm(3)), cost(gemm(5))};
  auto drops = drops_over_alignments({&two, &two}, 4, 1, share_policy::equal, sm80());
  ASSERT_EQ(drops.size(), 4u);
  for (auto& d : drops)
    for (auto mu : d)
      EXPECT_NEAR(mu, 1.0, 1e-6);
}

TEST(GpuTrace, ATraceRoundTripsAndItsErrorsNameTheLine) {
  kernel_trace t;
  t.model = "detector-n";
  t.input = 320;
  t.batch = 1;
  t.arch = "sm_80";
  t.source = "derived";
  t.mem_mb = 120;
  t.assumptions = "tile 128x64";
  t.kernels = {gemm(12.5), elementwise(3)};
  t.kernels[0].name = "conv, 3x3";
  auto file = write_temp("trace.csv", kernel_trace_text(t));
  auto back = read_kernel_trace(file);
  ASSERT_EQ(back.kernels.size(), 2u);
  EXPECT_EQ(back.kernels[0].name, "conv; 3x3");
  EXPECT_DOUBLE_EQ(back.total_us(), 15.5);
  EXPECT_EQ(back.kernels[1].line, 10);
  auto text = kernel_trace_text(t);
  auto expect_error = [&](std::string broken, const std::string& message) {
    try {
      parse_kernel_trace(broken, "t.csv");
      ADD_FAILURE() << message;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  };
  auto row = text.find("elementwise");
  expect_error(text.substr(0, row) + "k,1,1,1,128,1,1,32,0,0,0,0\n", "t.csv:10: duration_us must be above 0");
  expect_error(text.substr(0, row) + "k,1,1,1,1025,1,1,32,0,0,1,0\n", "t.csv:10: a block of 1025 threads");
  expect_error(text.substr(0, row) + "k,1,1,1,128,1,1,256,0,0,1,0\n", "t.csv:10: regs 256 per thread");
  expect_error(text.substr(0, row) + "k,1,1,1,0,1,1,32,0,0,1,0\n", "t.csv:10: block_x must be at least 1");
  expect_error(text.substr(0, row) + "k,1,1\n", "t.csv:10: expected 12 fields");
  expect_error(text.substr(0, text.find("conv")), "t.csv:8: no kernel");
  expect_error("# model: m\nname,x\n", "t.csv:2: expected the columns");
  expect_error("# model: m\n" + std::string(kernel_columns) + "\n", "t.csv:2: header field 'arch' is missing");
  kernel_trace big = t;
  big.kernels = {make("huge", 128, 32, 200 * 1024, 1)};
  big.file = "big.csv";
  big.kernels[0].line = 9;
  try {
    costs_of(big, sm80());
    ADD_FAILURE() << "200 KiB of shared memory per block";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("big.csv:9: kernel huge: 204800 B of shared memory per block"), std::string::npos)
        << e.what();
  }
}

// The recipe by hand on sm_80 (19.5 TFLOPS, 1555 GB/s): a 1000×256 GEMM of 2
// GFLOP is compute-bound, 2e9 / 9.75e6 = 205.1 µs, 8 × 4 tiles; a 1 MB elementwise op is
// memory-bound, 2e6 B / 1088.5 B/µs = 1.837 µs → the 3 µs floor, 4096 elements in 8 blocks.
TEST(GpuDerivation, OpsBecomeKernelsByThePeaks) {
  op_shape g{op_shape::kind::gemm, "aten::conv2d", 2e9, 1000000, 1000000, 48000, 1000, 256};
  auto k = derive_kernel(g, sm80());
  EXPECT_NEAR(k.duration_us, 2e9 / 9.75e6, 1e-6);
  EXPECT_EQ(k.grid[0], 8);
  EXPECT_EQ(k.grid[1], 4);
  EXPECT_EQ(k.threads(), 256);
  EXPECT_EQ(k.regs, 128);
  EXPECT_EQ(k.smem(), 48 * 1024);
  EXPECT_EQ(k.dram_bytes, 2048000);
  op_shape e{op_shape::kind::elementwise, "aten::relu", 4096, 1000000, 1000000, 0, 4096, 1};
  k = derive_kernel(e, sm80());
  EXPECT_DOUBLE_EQ(k.duration_us, 3.0);
  EXPECT_EQ(k.grid[0], 8);
  e.in_bytes = e.out_bytes = 100000000;  // 200 MB: 183.7 µs
  EXPECT_NEAR(derive_kernel(e, sm80()).duration_us, 2e8 / (0.7 * 1555e3), 1e-6);
  auto t = derive_trace({g, e}, sm80(), "toy", 320, 8, 12);
  EXPECT_EQ(t.source, "derived");
  EXPECT_EQ(read_kernel_trace(write_temp("derived.csv", kernel_trace_text(t))).kernels.size(), 2u);
}
