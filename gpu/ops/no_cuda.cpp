// The device side when Troupe is built without CUDA: there is no device, so the
// operations never call the others; they throw if something does.
#include "gpu/ops/detail/cuda_ops.hpp"

namespace troupe::gpu::detail {

int cuda_devices(std::string& why) {
  why = "built without CUDA (TROUPE_CUDA=OFF)";
  return 0;
}

void letterbox_on_device(const std::vector<image_view>&, const std::vector<placement>&, int, float*,
                         device_times*) {
  throw cuda_error("built without CUDA");
}

std::vector<uint64_t> overlap_mask_on_device(const std::vector<box>&, float, device_times*) {
  throw cuda_error("built without CUDA");
}

std::vector<kernel_report> our_kernels() {
  return {};
}

}  // namespace troupe::gpu::detail
