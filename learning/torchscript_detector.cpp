#include "learning/torchscript_detector.hpp"

#include <malloc.h>

#include <filesystem>
#include <mutex>

#include <ATen/Parallel.h>
#include <torch/script.h>

#include "gpu/ops/letterbox_batch.hpp"
#include "learning/detector_export.hpp"
#include "gpu/ops/nms.hpp"
#include "vision/yolo_output.hpp"

namespace troupe::learning {

namespace {

// A batch's activations are megabytes; glibc serves such blocks with fresh mmap'd
// pages that fault in on every inference (a 10× slowdown past a few MB here). Keep
// them in the heap instead.
void keep_tensor_memory() {
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
  });
}

std::vector<int64_t> dims(const torch::Tensor& t) {
  return {t.sizes().begin(), t.sizes().end()};
}

class torchscript_detector final : public vision::detector {
 public:
  torchscript_detector(const std::string& path, const vision::network_settings& settings)
      : path_(path), name_(std::filesystem::path(path).stem().string()), settings_(settings) {
    keep_tensor_memory();
    try {
      module_ = torch::jit::load(path);
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ": not a TorchScript file (" + first_line(e.what()) + ")");
    }
    module_.eval();
    if (auto size = module_.find_method("input_size"))
      input_ = int((*size)({}).toInt());
    run({cv::Mat(input_, input_, CV_8UC3, cv::Scalar::all(0))});  // fail now if the output does not decode
  }

  std::vector<vision::detection> detect(const cv::Mat& bgr) override {
    return detect_batch({bgr}).front();
  }

  std::vector<std::vector<vision::detection>> detect_batch(const std::vector<cv::Mat>& images) override {
    return run(images);
  }

  const std::string& model() const override { return name_; }

 private:
  static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

  std::vector<std::vector<vision::detection>> run(const std::vector<cv::Mat>& images) {
    torch::NoGradGuard no_grad;
    auto batch = gpu::letterbox_batch(images, input_, settings_.frame_width);  // on the GPU when there is one
    auto inputs = torch::from_blob(batch.nchw.data(), {batch.images, 3, input_, input_});
    torch::Tensor out;
    try {
      out = module_.forward({inputs}).toTensor().contiguous().to(torch::kFloat32);
    } catch (const std::exception& e) {
      throw std::runtime_error(path_ + ": inference failed (" + first_line(e.what()) + ")");
    }
    if (auto problem = vision::check_yolo_shape(dims(out)); !problem.empty() || out.size(0) != int64_t(images.size()))
      throw std::runtime_error(path_ + ": " + (problem.empty() ? "output batch does not match input" : problem));
    std::vector<std::vector<vision::detection>> result;
    for (size_t i = 0; i < images.size(); ++i) {
      auto rows = out[int64_t(i)];
      result.push_back(vision::image_detections(rows.data_ptr<float>(), int(rows.size(0)), int(rows.size(1)),
                                                batch.placements[i], settings_.min_score, settings_.nms_iou,
                                                gpu::nms));
    }
    return result;
  }

  std::string path_, name_;
  vision::network_settings settings_;
  torch::jit::Module module_;
  int input_ = 640;  // YOLO exports' usual input when the module does not say
};

}  // namespace

std::unique_ptr<vision::detector> load_torchscript_detector(const std::string& path,
                                                            const vision::network_settings& settings) {
  return std::make_unique<torchscript_detector>(path, settings);
}

void prepare_torch_memory() {
  keep_tensor_memory();
}

void set_torch_threads(int threads) {
  at::set_num_threads(threads);
}

void register_torchscript_models() {
  auto loader = [](const std::string& path, const vision::detector_options& o) {
    auto cpu = load_torchscript_detector(path, o.network);
    return o.network.backend == vision::network_backend::cuda ? cuda_or_cpu(path, o.network, std::move(cpu)) : std::move(cpu);
  };
  vision::register_model_format(".pt", loader);
  vision::register_model_format(".torchscript", loader);
}

}  // namespace troupe::learning
