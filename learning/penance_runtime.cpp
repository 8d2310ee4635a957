#include "learning/penance_runtime.hpp"

#include <mutex>
#include <stdexcept>

#include <torch/script.h>

#include "learning/penance_inputs.hpp"
#include "learning/penance_networks.hpp"
#include "learning/segmenter_network.hpp"

namespace troupe::learning {

namespace {

torch::jit::Module open(const std::string& path, const char* what) {
  try {
    auto m = torch::jit::load(path);
    m.eval();
    return m;
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot open ") + what + " " + path + ": " + e.what());
  }
}

// Inference runs on the caller's thread; a module is not re-entrant under its
// graph executor's profiling, so each call holds it alone.
class estimator_file : public penance::bitrate_estimator {
 public:
  explicit estimator_file(const std::string& path) : m_(open(path, "the bitrate estimator")) {}
  int frames() const override { return static_cast<int>(m_.run_method("frames").toInt()); }
  size_t settings() const override { return static_cast<size_t>(m_.run_method("settings").toInt()); }
  estimate run(const std::vector<cv::Mat>& luma, size_t base) const override {
    std::vector<torch::Tensor> frames;
    for (auto& f : luma)
      frames.push_back(torch::from_blob(f.data, {f.rows, f.cols}, torch::kUInt8).clone());
    torch::NoGradGuard no_grad;
    std::lock_guard<std::mutex> lock(mtx_);
    auto out = m_.forward({luma_batch({torch::stack(frames)})}).toTuple();
    double unit = m_.run_method("base_unit").toDouble();
    estimate e;
    e.bytes = estimated_sizes(out->elements()[0].toTensor()[0].item<double>() * unit,
                              out->elements()[1].toTensor()[0], settings(), base);
    auto x = out->elements()[2].toTensor()[0].contiguous();
    e.content.assign(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
    return e;
  }

 private:
  mutable torch::jit::Module m_;
  mutable std::mutex mtx_;
};

class adapter_file : public penance::adapter_policy {
 public:
  explicit adapter_file(const std::string& path) : m_(open(path, "the adapter")), actor_(m_.attr("actor").toModule()) {
    auto variant = m_.run_method("variant").toStringRef();
    variant_ = variant;
    auto size = static_cast<size_t>(m_.run_method("state_size").toInt());
    layout_.performance = variant_ == "penance" ? 64 : 1;
    layout_.settings = static_cast<size_t>(m_.run_method("settings").toInt());
    layout_.configs = static_cast<size_t>(m_.run_method("configs").toInt());
    if (layout_.size() != size)
      throw std::runtime_error(path + ": its state has " + std::to_string(size) + " values, the layout " +
                               std::to_string(layout_.size()));
  }
  std::string variant() const override { return variant_; }
  penance::state_layout layout() const override { return layout_; }
  size_t choose(const std::vector<float>& state) const override {
    auto x = torch::from_blob(const_cast<float*>(state.data()), {1, static_cast<int64_t>(state.size())}, torch::kFloat32);
    torch::NoGradGuard no_grad;
    std::lock_guard<std::mutex> lock(mtx_);
    return static_cast<size_t>(actor_.forward({x}).toTensor().argmax(1).item<int64_t>());  // argmax at test (§3.4.4)
  }

 private:
  mutable torch::jit::Module m_, actor_;
  mutable std::mutex mtx_;
  std::string variant_;
  penance::state_layout layout_;
};

class edge_file : public penance::edge_model {
 public:
  explicit edge_file(const std::string& path) : m_(open(path, "the edge model")), graph_(graph_of(m_)) {}
  int classes() const override { return static_cast<int>(m_.run_method("classes").toInt()); }
  const penance::segmenter_graph& graph() const override { return graph_; }
  prediction run(const std::vector<cv::Mat>& bgr, cv::Size grid) const override {
    std::lock_guard<std::mutex> lock(mtx_);
    auto out = run_edge_model(m_, bgr, grid);
    prediction p;
    for (int64_t k = 0; k < out.labels.size(0); ++k)
      p.labels.push_back(labels_of_plane(out.labels[k]));
    auto* probs = out.last_probabilities.data_ptr<uint8_t>();
    p.probabilities.assign(probs, probs + out.last_probabilities.numel());
    return p;
  }

 private:
  mutable torch::jit::Module m_;
  mutable std::mutex mtx_;
  penance::segmenter_graph graph_;
};

class performance_file : public penance::performance_encoder {
 public:
  explicit performance_file(const std::string& adapter_path)
      : m_(open(adapter_path, "the adapter")), encoder_(m_.attr("performance").toModule()) {
    if (m_.run_method("variant").toStringRef() != "penance")
      throw std::runtime_error(adapter_path + " is a " + m_.run_method("variant").toStringRef() +
                               " adapter: only Penance's has a performance encoder");
    // The first block's depthwise filters, one per input channel: the classes.
    classes_ = static_cast<int>(encoder_.attr("w_d0").toTensor().size(0));
  }
  int classes() const override { return classes_; }
  cv::Size grid() const override {  // the tables' default grid, which train-penance trains on
    penance_dataset_options d;
    return {d.softmax_width, d.softmax_height};
  }
  std::vector<float> run(const std::vector<uint8_t>& probabilities) const override {
    auto plane = torch::from_blob(const_cast<uint8_t*>(probabilities.data()),
                                  {1, classes_, grid().height, grid().width}, torch::kUInt8);
    torch::NoGradGuard no_grad;
    std::lock_guard<std::mutex> lock(mtx_);
    auto p = encoder_.forward({plane.to(torch::kFloat32) / 255}).toTensor()[0].contiguous();
    return {p.data_ptr<float>(), p.data_ptr<float>() + p.numel()};
  }

 private:
  mutable torch::jit::Module m_, encoder_;
  mutable std::mutex mtx_;
  int classes_ = 0;
};

class accuracy_file : public penance::accuracy_predictor {
 public:
  explicit accuracy_file(const std::string& path) : m_(open(path, "DAO-C's accuracy predictor")) {}
  size_t configs() const override { return static_cast<size_t>(m_.run_method("configs").toInt()); }
  std::vector<double> run(const cv::Mat& bgr) const override {
    torch::NoGradGuard no_grad;
    std::lock_guard<std::mutex> lock(mtx_);
    auto a = m_.forward({bgr_tensor(bgr).unsqueeze(0)}).toTensor()[0].to(torch::kDouble).contiguous();
    return {a.data_ptr<double>(), a.data_ptr<double>() + a.numel()};
  }

 private:
  mutable torch::jit::Module m_;
  mutable std::mutex mtx_;
};

}  // namespace

penance::model_loaders penance_model_loaders() {
  return {
      [](const std::string& p) { return std::make_shared<const estimator_file>(p); },
      [](const std::string& p) { return std::make_shared<const adapter_file>(p); },
      [](const std::string& p) { return std::make_shared<const edge_file>(p); },
      [](const std::string& p) { return std::make_shared<const performance_file>(p); },
      [](const std::string& p) { return std::make_shared<const accuracy_file>(p); },
  };
}

}  // namespace troupe::learning
