// Exports one of the project's trained detector networks (TorchScript, from
// `troupe train-detector`) as an ONNX model with the same YOLO-style output, so
// OpenCV DNN (or any ONNX runtime) serves it. Plain C++: no libtorch in callers.
#pragma once

#include <string>

namespace troupe::learning {

// Throws std::runtime_error naming the file when it is not one of our networks.
void export_onnx(const std::string& torchscript_path, const std::string& onnx_path);

}  // namespace troupe::learning
