// Penance's trained networks as its kinds see them, in plain C++ (penance.txt §2.1.1,
// §3.2–3.4): the networks live in learning/ (libtorch) and open through loaders the
// program registers (the CLI's open the learning plugin), so the kinds build and run
// without libtorch until a topology names weights.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/segmenter_graph.hpp"

namespace troupe::penance {

// The camera's bitrate estimator (Fig. 10): every setting's size and the content
// features x from a segment's luma.
class bitrate_estimator {
 public:
  struct estimate {
    std::vector<double> bytes;   // per setting, in setting order
    std::vector<float> content;  // x
  };
  virtual ~bitrate_estimator() = default;
  virtual int frames() const = 0;  // luma frames it reads per segment, each the frame's halved
  virtual size_t settings() const = 0;
  // `luma`: frames() single-channel 8-bit frames; `base`: the setting its base size is
  // of (the costliest), the others being ratios to it.
  virtual estimate run(const std::vector<cv::Mat>& luma, size_t base) const = 0;
};

// The CRL adapter's actor (Fig. 13): the most likely configuration for a state.
class adapter_policy {
 public:
  virtual ~adapter_policy() = default;
  virtual std::string variant() const = 0;  // penance or casva-c
  virtual state_layout layout() const = 0;
  virtual size_t choose(const std::vector<float>& state) const = 0;
};

// One of the server's edge models (§2.1.1): labels for frames, and the probabilities of
// the last one pooled to the performance encoder's grid.
class edge_model {
 public:
  struct prediction {
    std::vector<cv::Mat> labels;         // CV_8U, per frame, at the frame's size
    std::vector<uint8_t> probabilities;  // the last frame's, classes × height × width, ×255
  };
  virtual ~edge_model() = default;
  virtual int classes() const = 0;
  virtual const segmenter_graph& graph() const = 0;  // what it computes: its MACs at any size
  virtual prediction run(const std::vector<cv::Mat>& bgr, cv::Size grid) const = 0;
};

// The server's performance encoder (Fig. 12): p from the probabilities of a result.
class performance_encoder {
 public:
  virtual ~performance_encoder() = default;
  virtual int classes() const = 0;
  virtual cv::Size grid() const = 0;
  virtual std::vector<float> run(const std::vector<uint8_t>& probabilities) const = 0;
};

// DAO-C's accuracy predictor (§4.1.3): every configuration's mIoU from a segment's
// first frame, on the device.
class accuracy_predictor {
 public:
  virtual ~accuracy_predictor() = default;
  virtual size_t configs() const = 0;
  virtual std::vector<double> run(const cv::Mat& bgr) const = 0;
};

// Opening a weight file; each throws, naming the file, when it cannot.
struct model_loaders {
  std::function<std::shared_ptr<const bitrate_estimator>(const std::string&)> estimator;
  std::function<std::shared_ptr<const adapter_policy>(const std::string&)> adapter;
  std::function<std::shared_ptr<const edge_model>(const std::string&)> edge;
  // From an adapter's file: the encoder was trained with its actor.
  std::function<std::shared_ptr<const performance_encoder>(const std::string&)> performance;
  std::function<std::shared_ptr<const accuracy_predictor>(const std::string&)> accuracy;
};
void register_model_loaders(model_loaders loaders);
// Each throws std::runtime_error when no loader is registered or the file will not open.
std::shared_ptr<const bitrate_estimator> load_estimator(const std::string& path);
std::shared_ptr<const adapter_policy> load_adapter(const std::string& path);
std::shared_ptr<const edge_model> load_edge_model(const std::string& path);
std::shared_ptr<const performance_encoder> load_performance_encoder(const std::string& adapter_path);
std::shared_ptr<const accuracy_predictor> load_accuracy_predictor(const std::string& path);

}  // namespace troupe::penance
