// Whether Troupe's GPU operations run on a device, and why not when they do not: built
// without CUDA (TROUPE_CUDA=OFF), no device, TROUPE_GPU=off in the environment, or a
// CUDA error earlier in this process (logged once; from then on the CPU is used).
#pragma once

#include <cstdint>
#include <string>

namespace troupe::gpu {

bool device_usable();
// Empty while the device is usable; else the reason, in words.
std::string cpu_reason();
// Calls that fell back to the CPU because of a CUDA error.
int64_t fallbacks();

namespace detail {
// A CUDA call failed: log `what` once, stop using the device, count the fallback.
void device_failed(const std::string& what);
}  // namespace detail

}  // namespace troupe::gpu
