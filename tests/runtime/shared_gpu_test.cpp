// The emulated shared GPU replicas are paced by: a device profile's `gpu`, a seat's
// kernels by batch size, inferences that end as the reference simulation (gpu/model
// co_run, thesis §4.4.2) says whatever the order threads wait in, overruns, its
// statistics, and every refusal named.
#include <gtest/gtest.h>

#include <thread>

#include "actors/runtime/emulation/shared_gpu.hpp"
#include "gpu/model/gpu_arch.hpp"
#include "gpu/model/kernel_trace.hpp"
#include "test_support.hpp"

using namespace troupe;
using namespace troupe::testing;
using namespace std::chrono_literals;

namespace {

std::string traces(const std::string& arch) { return source_dir() + "/topologies/kernels/derived/" + arch; }

std::string profile_text(const std::string& gpu) {
  return "devices:\n  - name: xavier\n    busy_power_w: 15\n    gpu: " + gpu + "\n";
}

device_profile xavier(double memory_gb = 8, int count = 2) {
  auto r = parse_device_profiles(profile_text("{ arch: sm_72, memory_gb: " + std::to_string(memory_gb) +
                                              ", count: " + std::to_string(count) + ", traces: " +
                                              traces("sm_72") + ", arch_limits: " + source_dir() +
                                              "/gpu/arch_limits.yaml }"),
                                 "p.yaml");
  EXPECT_TRUE(r.errors.empty()) << r.errors[0].to_string();
  return r.profiles->devices.at(0);
}

std::string first_error(const std::string& gpu) {
  auto r = parse_device_profiles(profile_text(gpu), "p.yaml");
  return r.errors.empty() ? "" : r.errors[0].to_string();
}

std::vector<gpu::kernel_cost> kernels(const std::string& model) {
  static auto archs = gpu::load_gpu_archs(source_dir() + "/gpu/arch_limits.yaml");
  return gpu::costs_of(gpu::read_kernel_trace(traces("sm_72") + "/" + model + ".csv"), gpu::find_arch(archs, "sm_72"));
}

double total_us(const std::vector<gpu::kernel_cost>& ks) {
  double t = 0;
  for (auto& k : ks)
    t += k.duration_us;
  return t;
}

std::string seat_error(const device_profile& d, int index, const std::string& trace) {
  try {
    gpu_seat seat("n", d, index, trace, 0, 1, 0);
  } catch (const std::exception& ex) {
    return ex.what();
  }
  return "";
}

}  // namespace

TEST(SharedGpu, AProfileNamesItsGpusAndEveryMistake) {
  auto d = xavier();
  ASSERT_TRUE(d.gpu);
  EXPECT_EQ(d.gpu->arch, "sm_72");
  EXPECT_EQ(d.gpu->count, 2);
  EXPECT_EQ(d.gpu->share, gpu::share_policy::equal);
  EXPECT_TRUE(d.models.empty());  // a GPU times replicas by their traces
  auto limits = ", arch_limits: " + source_dir() + "/gpu/arch_limits.yaml";
  EXPECT_EQ(first_error("{ arch: sm_72, memory_gb: 8, traces: /nonexistent" + limits + " }"),
            "p.yaml:4:47: no folder of kernel traces '/nonexistent' (troupe derive-traces writes them)");
  EXPECT_NE(first_error("{ arch: sm_61, memory_gb: 8, traces: " + traces("sm_72") + limits + " }")
                .find("p.yaml:4:18: no GPU arch 'sm_61' (known: sm_72, sm_80, sm_90) in"),
            std::string::npos);
  EXPECT_NE(first_error("{ arch: sm_72, memory_gb: 8, traces: " + traces("sm_72") + limits + ", share: fair }")
                .find("share 'fair': equal, fcfs or priority"),
            std::string::npos);
  EXPECT_NE(first_error("{ arch: sm_72, memory_gb: 0, traces: " + traces("sm_72") + limits + " }")
                .find("'memory_gb' in device 'xavier''s gpu must be positive"),
            std::string::npos);
  EXPECT_NE(first_error("{ arch: sm_72, memory_gb: 8, count: 0, traces: " + traces("sm_72") + limits + " }"),
            "");
  EXPECT_NE(first_error("{ arch: sm_72, traces: " + traces("sm_72") + limits + " }").find("needs 'memory_gb'"),
            std::string::npos);
}

TEST(SharedGpu, ASeatIsRefusedWithItsReason) {
  auto d = xavier(0.3);
  EXPECT_EQ(seat_error(d, 2, "detector-n-i320"), "gpu 2: device 'xavier' has 2 (0 to 1)");
  EXPECT_EQ(seat_error(d, 0, "detector-x"),
            traces("sm_72") + ": no kernel trace detector-x-b<batch>.csv (troupe derive-traces writes them)");
  EXPECT_EQ(seat_error(d, 0, "detector-m-i640"), "gpu n/xavier/0 has 307 MB free of 307, detector-m-i640 needs 360 MB");
  gpu_seat first("n", d, 0, "detector-n-i320", 0, 1, 0);  // 305 MB of 512
  EXPECT_EQ(seat_error(d, 0, "detector-n-i320"), "gpu n/xavier/0 has 2 MB free of 307, detector-n-i320 needs 305 MB");
  EXPECT_EQ(seat_error(d, 1, "detector-n-i320"), "");  // the other GPU has room
  auto wrong = d;
  wrong.gpu->traces = traces("sm_80");
  EXPECT_NE(seat_error(wrong, 1, "detector-n-i320").find("a trace of sm_80, the GPU is sm_72"), std::string::npos);
}

// Two inferences started together on one GPU end where the reference simulation of
// the same two streams says; a lone batch of 9 runs the traced batch 8 then batch 1.
TEST(SharedGpu, InferencesEndAsTheReferenceSimulationSays) {
  auto d = xavier();
  auto time = make_clock(20, make_real_clock()->now_ns());
  gpu_seat heavy("sim", d, 0, "detector-m-i640", 0, 9, time->now_ns());
  gpu_seat light("sim", d, 0, "detector-n-i320", 0, 1, time->now_ns());
  auto m = kernels("detector-m-i640-b1"), n = kernels("detector-n-i320-b1");
  auto expected = gpu::co_run({{&m}, {&n}}, d.gpu->share, heavy.gpu().arch());
  auto start = time->now_ns();
  auto a = heavy.begin(1, start), b = light.begin(1, start);
  shared_gpu::ended ends[2];
  std::thread other([&] { ends[1] = light.wait(b, *time); });  // either may wait first
  ends[0] = heavy.wait(a, *time);
  other.join();
  EXPECT_NEAR((ends[0].at_ns - start) / 1e3, expected.finish_us[0], 1.0);
  EXPECT_NEAR((ends[1].at_ns - start) / 1e3, expected.finish_us[1], 1.0);
  EXPECT_GT(expected.finish_us[1], total_us(n) * 1.2);  // the light one was slowed
  EXPECT_NEAR(ends[0].work_us, total_us(m), 1e-6);
  EXPECT_FALSE(ends[0].late);
  auto nine = heavy.begin(9, time->now_ns());
  auto alone = heavy.wait(nine, *time);
  EXPECT_NEAR(alone.work_us, total_us(kernels("detector-m-i640-b8")) + total_us(m), 1e-6);
}

TEST(SharedGpu, AnswersLaterThanTheGpuAreOverrunsAndStatsAreTakenInTurn) {
  auto d = xavier();
  auto time = make_real_clock();
  gpu_seat a("stats", d, 1, "detector-n-i320", 0, 1, time->now_ns());
  gpu_seat b("stats", d, 1, "detector-n-i320", 0, 1, time->now_ns());
  auto id = a.begin(1, time->now_ns());
  std::this_thread::sleep_for(20ms);  // 0.28 ms of GPU time long over
  auto end = a.wait(id, *time);
  EXPECT_TRUE(end.late);
  auto s = a.gpu().report_due(time->now_ns(), 10'000'000);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->node(), "stats");
  EXPECT_EQ(s->index(), 1u);
  EXPECT_EQ(s->arch(), "sm_72");
  EXPECT_EQ(s->replicas(), 2u);
  EXPECT_EQ(s->inferences(), 1u);
  EXPECT_EQ(s->in_flight(), 0u);
  EXPECT_NEAR(s->memory_used_mb(), 2 * 305, 1);
  EXPECT_NEAR(s->busy_ms(), total_us(kernels("detector-n-i320-b1")) / 1e3, 1e-6);
  EXPECT_GT(s->utilisation(), 0);
  EXPECT_LT(s->utilisation(), 0.1);
  EXPECT_FALSE(b.gpu().report_due(time->now_ns(), 10'000'000));  // a's turn took this interval
}
