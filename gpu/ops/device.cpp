#include "gpu/ops/device.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "gpu/ops/detail/cuda_ops.hpp"

namespace troupe::gpu {

namespace {

struct device_state {
  std::mutex mutex;
  bool decided = false;
  std::string reason;  // empty: usable
  std::atomic<int64_t> fallbacks{0};
};

device_state& state() {
  static device_state s;
  return s;
}

// Decided once per process: the environment, then what CUDA sees.
void decide(device_state& s) {
  if (s.decided)
    return;
  s.decided = true;
  if (const char* env = std::getenv("TROUPE_GPU"); env && std::string(env) == "off") {
    s.reason = "TROUPE_GPU=off";
    return;
  }
  std::string why;
  if (detail::cuda_devices(why) == 0)
    s.reason = why;
}

}  // namespace

bool device_usable() {
  return cpu_reason().empty();
}

std::string cpu_reason() {
  auto& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  decide(s);
  return s.reason;
}

int64_t fallbacks() {
  return state().fallbacks.load();
}

namespace detail {

void device_failed(const std::string& what) {
  auto& s = state();
  ++s.fallbacks;
  std::lock_guard<std::mutex> lock(s.mutex);
  decide(s);
  if (!s.reason.empty())
    return;
  s.reason = "CUDA error: " + what;
  std::fprintf(stderr, "troupe gpu: %s; the GPU operations run on the CPU from now on\n", what.c_str());
}

}  // namespace detail

}  // namespace troupe::gpu
