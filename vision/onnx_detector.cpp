#include "vision/onnx_detector.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

#include <onnx/onnx_pb.h>
#include <opencv2/dnn.hpp>

#include "vision/yolo_output.hpp"

namespace troupe::vision {

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error(path + ": cannot read the file");
  return {std::istreambuf_iterator<char>(in), {}};
}

// The square side of the model's first input, from the file itself.
int input_side(const std::string& bytes, const std::string& path) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes) || !model.has_graph() || model.graph().input_size() == 0)
    throw std::runtime_error(path + ": not an ONNX file");
  auto& shape = model.graph().input(0).type().tensor_type().shape();
  if (shape.dim_size() != 4 || shape.dim(2).dim_value() <= 0 || shape.dim(2).dim_value() != shape.dim(3).dim_value())
    throw std::runtime_error(path + ": the input is not a fixed square image [batch, 3, S, S]");
  return int(shape.dim(2).dim_value());
}

class onnx_detector final : public detector {
 public:
  onnx_detector(const std::string& path, const network_settings& settings)
      : path_(path), name_(std::filesystem::path(path).stem().string()), settings_(settings) {
    auto bytes = read_file(path);
    side_ = input_side(bytes, path);
    try {
      net_ = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
    } catch (const cv::Exception& e) {
      throw std::runtime_error(path + ": OpenCV DNN cannot load it (" + e.msg + ")");
    }
    detect(cv::Mat(side_, side_, CV_8UC3, cv::Scalar::all(0)));  // fail now if the output does not decode
  }

  std::vector<detection> detect(const cv::Mat& bgr) override {
    auto lb = fit_letterbox(bgr.size(), {side_, side_}, settings_.frame_width);
    net_.setInput(cv::dnn::blobFromImage(apply_letterbox(bgr, lb), 1.0 / 255));
    cv::Mat out = net_.forward();
    std::vector<int64_t> shape(out.size.p, out.size.p + out.dims);
    if (auto problem = check_yolo_shape(shape); !problem.empty())
      throw std::runtime_error(path_ + ": " + problem);
    return image_detections(out.ptr<float>(), int(shape[1]), int(shape[2]), lb, settings_.min_score,
                            settings_.nms_iou);
  }

  const std::string& model() const override { return name_; }

 private:
  std::string path_, name_;
  network_settings settings_;
  cv::dnn::Net net_;
  int side_ = 0;
};

}  // namespace

std::unique_ptr<detector> load_onnx_detector(const std::string& path, const network_settings& settings) {
  return std::make_unique<onnx_detector>(path, settings);
}

}  // namespace troupe::vision
