// Detectors that are TorchScript files: YOLO-style networks (the project's own, from
// `troupe train-detector`, or any export with [batch, rows, 5 + classes] output and
// a square input). Plain C++: callers need no libtorch headers.
#pragma once

#include <memory>
#include <string>

#include "vision/detector.hpp"

namespace troupe::learning {

// Throws std::runtime_error naming the file when it is not TorchScript, or when its
// output does not decode (checked on a blank image at load time).
std::unique_ptr<vision::detector> load_torchscript_detector(const std::string& path,
                                                            const vision::network_settings& settings = {});

// Keeps large tensor blocks in the heap (see the .cpp); loading a model does it too.
void prepare_torch_memory();

// Threads libtorch uses for one inference (benchmarks pin this to 1).
void set_torch_threads(int threads);

// Lets vision::make_detector load "*.pt" and "*.torchscript" model paths.
void register_torchscript_models();

}  // namespace troupe::learning
