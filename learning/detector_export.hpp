// A trained network of Troupe's detector family as the CUDA runner's plan (plain
// weights; gpu/runner/detector_plan.hpp), and the `backend: cuda` loader that serves it
// on the GPU or, saying why once, on the CPU.
#pragma once

#include <memory>
#include <string>

#include "gpu/runner/detector_plan.hpp"
#include "vision/detector.hpp"

namespace troupe::learning {

// Throws std::runtime_error naming the file when it is not such a network.
gpu::detector_plan detector_plan_of(const std::string& torchscript_path);

// The CUDA runner for the network at `path` where a device is usable, else `cpu` (the
// same network on libtorch), with one logged line saying why.
std::unique_ptr<vision::detector> cuda_or_cpu(const std::string& path, const vision::network_settings& settings,
                                              std::unique_ptr<vision::detector> cpu);

}  // namespace troupe::learning
