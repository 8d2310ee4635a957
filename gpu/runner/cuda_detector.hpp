// Troupe's own detector family served by the CUDA runner: letterbox, network, decode
// on the device, NMS by the device's overlap mask. A replica gets it with `backend:
// cuda`; learning/ exports the plan from the TorchScript module and passes that module's
// CPU detector as `cpu`, which serves instead from the first CUDA error on (logged once,
// counted in gpu::fallbacks()).
#pragma once

#include <memory>

#include "gpu/runner/detector_plan.hpp"
#include "vision/detector.hpp"

namespace troupe::gpu {

// Serves from `cpu` (required) when there is no usable device or the plan cannot be
// put on it (no cuDNN in this build, a CUDA error: logged once, counted).
std::unique_ptr<vision::detector> make_cuda_detector(const detector_plan& plan, const vision::network_settings& settings,
                                                     std::unique_ptr<vision::detector> cpu);
// Whether `d` is a detector made here that serves on the device (false once it fell back).
bool serves_on_device(const vision::detector& d);

}  // namespace troupe::gpu
