// One interface for every object detector. Stateful detectors (background
// subtraction) learn from the frames of one camera: use one instance per camera.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

class detector {
 public:
  virtual ~detector() = default;
  virtual std::vector<detection> detect(const cv::Mat& bgr) = 0;
  // Several images at once; models that batch (networks) override this.
  virtual std::vector<std::vector<detection>> detect_batch(const std::vector<cv::Mat>& images) {
    std::vector<std::vector<detection>> out;
    for (auto& image : images)
      out.push_back(detect(image));
    return out;
  }
  virtual const std::string& model() const = 0;
  // True when the detector learns from a camera's frame sequence.
  virtual bool per_camera() const { return false; }
};

struct hog_settings {
  double hit_threshold = 0.0;  // SVM margin a window needs to count
  int win_stride = 8;          // pixels between windows
  double scale_step = 1.05;    // pyramid scale factor
  double min_score = 0.3;      // drop weaker boxes after grouping
};

struct blob_settings {
  int history = 500;            // frames the background model remembers
  double var_threshold = 16;    // squared Mahalanobis distance to count as foreground
  int min_area_px = 150;        // smaller blobs are noise
  int kernel_px = 3;            // morphology kernel size
};

// Where a network runs: libtorch or OpenCV on the CPU, or Troupe's own CUDA runner
// (gpu/runner), which falls back to the CPU, saying so once, where there is no device.
enum class network_backend { cpu, cuda };

struct network_settings {
  float min_score = 0.25f;  // objectness × class score a box needs
  float nms_iou = 0.45f;    // overlap at which the weaker box of a class goes
  int frame_width = 0;      // > 0: inputs are regions of frames this wide, scaled as their frame (fit_letterbox)
  network_backend backend = network_backend::cpu;
};

struct detector_options {
  std::string cascade_dir = "/usr/share/opencv4/haarcascades";  // opencv-data's cascades
  hog_settings hog;
  blob_settings blob;
  network_settings network;
};

// Models: "hog" (people), "mog2" (moving blobs), "haar-fullbody", "haar-upperbody",
// "haar-face", the path of an ONNX network (OpenCV DNN), or of a network file whose
// extension has a registered loader (".pt": learning::register_torchscript_models).
// A file model's name is its file name without extension. Throws std::runtime_error
// naming the model (and file) when it cannot be made.
std::unique_ptr<detector> make_detector(const std::string& model, const detector_options& options = {});
std::vector<std::string> detector_models();
// Why make_detector would refuse the model name `model` without loading it (an unknown
// name, a cascade missing from its folder); empty for known names and for files.
std::string model_problem(const std::string& model, const detector_options& options = {});

using model_loader = std::function<std::unique_ptr<detector>(const std::string& path, const detector_options&)>;
// Teaches make_detector a file format, e.g. ".pt" (registered by learning/).
void register_model_format(const std::string& extension, model_loader loader);

}  // namespace troupe::vision
