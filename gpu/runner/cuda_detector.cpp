#include "gpu/runner/cuda_detector.hpp"

#include <stdexcept>

#include "gpu/ops/detail/placed_images.hpp"
#include "gpu/ops/device.hpp"
#include "gpu/ops/nms.hpp"
#include "gpu/runner/detail/cuda_network.hpp"
#include "vision/yolo_output.hpp"

namespace troupe::gpu {

namespace {

class cuda_detector final : public vision::detector {
 public:
  cuda_detector(const detector_plan& plan, const vision::network_settings& settings,
                std::unique_ptr<vision::detector> cpu)
      : plan_(plan), settings_(settings), cpu_(std::move(cpu)) {
    if (!cpu_)
      throw std::invalid_argument("cuda backend for " + plan.name + ": no CPU detector to fall back to");
    if (!device_usable())
      return;
    try {
      network_ = detail::upload_network(plan);
    } catch (const detail::cuda_error& e) {
      detail::device_failed(e.what());
    }
  }

  std::vector<vision::detection> detect(const cv::Mat& bgr) override { return detect_batch({bgr}).front(); }

  std::vector<std::vector<vision::detection>> detect_batch(const std::vector<cv::Mat>& images) override {
    if (network_) {
      try {
        return run(images);
      } catch (const detail::cuda_error& e) {
        detail::device_failed(e.what());
        network_.reset();
      }
    }
    return cpu_->detect_batch(images);
  }

  const std::string& model() const override { return plan_.name; }
  bool on_device() const { return network_ != nullptr; }

 private:
  std::vector<std::vector<vision::detection>> run(const std::vector<cv::Mat>& images) {
    auto placed = detail::place_images(images, plan_.input, settings_.frame_width);
    int cells = plan_.grid() * plan_.grid(), columns = plan_.columns();
    std::vector<float> rows(images.size() * cells * columns);
    detail::infer_on_device(*network_, placed.views, placed.placements, rows.data());
    std::vector<std::vector<vision::detection>> out;
    for (size_t i = 0; i < images.size(); ++i)
      out.push_back(vision::image_detections(rows.data() + i * cells * columns, cells, columns, placed.letterboxes[i],
                                             settings_.min_score, settings_.nms_iou, gpu::nms));
    return out;
  }

  detector_plan plan_;
  vision::network_settings settings_;
  std::unique_ptr<vision::detector> cpu_;
  std::shared_ptr<detail::device_network> network_;
};

}  // namespace

std::unique_ptr<vision::detector> make_cuda_detector(const detector_plan& plan, const vision::network_settings& settings,
                                                     std::unique_ptr<vision::detector> cpu) {
  return std::make_unique<cuda_detector>(plan, settings, std::move(cpu));
}

}  // namespace troupe::gpu

namespace troupe::gpu {

bool serves_on_device(const vision::detector& d) {
  auto* c = dynamic_cast<const cuda_detector*>(&d);
  return c && c->on_device();
}

}  // namespace troupe::gpu
