// Troupe's own detector family (learning/detector_network) as plain data a GPU runner
// executes: 3×3 convolutions with bias and leaky ReLU, a 1×1 head, and the decode of
// each grid cell into a YOLO-style row. learning/ exports it from the trained
// TorchScript module; `run_plan_on_host` is the reference the tests pin to TorchScript
// and the device to.
#pragma once

#include <string>
#include <vector>

namespace troupe::gpu {

struct conv_layer {
  int in = 0, out = 0, kernel = 3, stride = 1, pad = 1;
  bool leaky = true;          // max(x, 0.1 x) after the bias
  std::vector<float> weight;  // out × in × kernel × kernel
  std::vector<float> bias;    // out
};

struct detector_plan {
  std::string name;  // the model's file stem
  int input = 320, classes = 1;
  float anchor_w = 12, anchor_h = 28;
  std::vector<conv_layer> layers;  // the last one is the 1×1 head (5 + classes outputs, no ReLU)

  int stride() const;        // input pixels per grid cell
  int grid() const;          // cells per side
  int columns() const { return 5 + classes; }
  // Throws std::runtime_error saying what is inconsistent (shapes, sizes, strides).
  void check() const;
};

// A binary file ("TROUPEDP", version 1, little-endian); load checks it and says why not.
void save_plan(const detector_plan& plan, const std::string& file);
detector_plan load_plan(const std::string& file);

// Rows [images × grid² × columns] for an N × 3 × input × input batch, on the host.
std::vector<float> run_plan_on_host(const detector_plan& plan, const float* nchw, int images);

}  // namespace troupe::gpu
