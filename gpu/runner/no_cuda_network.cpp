// The runner's device side when Troupe is built without CUDA or cuDNN.
#include "gpu/runner/detail/cuda_network.hpp"

namespace troupe::gpu::detail {

struct device_network {};

std::shared_ptr<device_network> upload_network(const detector_plan&) {
  throw cuda_error("built without CUDA and cuDNN");
}

void infer_on_device(device_network&, const std::vector<image_view>&, const std::vector<placement>&, float*,
                     device_times*) {
  throw cuda_error("built without CUDA and cuDNN");
}

CUstream_st* stream_of(device_network&) {
  return nullptr;
}

}  // namespace troupe::gpu::detail
