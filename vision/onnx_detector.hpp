// Detectors that are ONNX files, run by OpenCV DNN: YOLO-style networks with one
// square input [1, 3, S, S] (BGR scaled to 0..1, as the project's networks are trained; its
// size read from the file) and output [1, rows, 5 + classes].
#pragma once

#include <memory>
#include <string>

#include "vision/detector.hpp"

namespace troupe::vision {

// Throws std::runtime_error naming the file when it is not ONNX, when OpenCV DNN
// cannot load it, or when its output does not decode.
std::unique_ptr<detector> load_onnx_detector(const std::string& path, const network_settings& settings = {});

}  // namespace troupe::vision
