#include "learning/penance_inputs.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "actors/penance/core/config_space.hpp"
#include "vision/segment_frames.hpp"

namespace troupe::learning {

void for_each_drive(const vision::street_config& base, const std::vector<uint64_t>& seeds,
                    const std::function<void(size_t, vision::street_scene&)>& fn) {
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::mutex m;
  auto work = [&] {
    for (size_t i; (i = next++) < seeds.size();) {
      try {
        auto c = base;
        c.seed = seeds[i];
        vision::street_scene drive(c);
        fn(i, drive);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        if (!failure)
          failure = std::current_exception();
        next = seeds.size();
      }
    }
  };
  std::vector<std::thread> pool;
  unsigned n = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(), static_cast<unsigned>(seeds.size())));
  for (unsigned k = 0; k < n; ++k)
    pool.emplace_back(work);
  for (auto& t : pool)
    t.join();
  if (failure)
    std::rethrow_exception(failure);
}

torch::Tensor bgr_tensor(const cv::Mat& bgr) {
  cv::Mat f;
  bgr.convertTo(f, CV_32FC3, 1.0 / 255);
  return torch::from_blob(f.data, {f.rows, f.cols, 3}, torch::kFloat32).permute({2, 0, 1}).clone();
}

std::vector<std::vector<torch::Tensor>> segment_lumas(const penance_dataset_options& o, const std::vector<uint64_t>& seeds,
                                                      const estimator_shape& shape) {
  std::vector<std::vector<torch::Tensor>> per(seeds.size());
  for_each_drive(drive_config(o), seeds, [&](size_t i, vision::street_scene& drive) {
    while (drive.frames() >= static_cast<size_t>(shape.frames) * (per[i].size() + 1)) {
      auto frames = torch::empty({shape.frames, shape.height, shape.width}, torch::kUInt8);
      for (int f = 0; f < shape.frames; ++f) {
        auto half = vision::luma_at(drive.next().image, cv::Size(shape.width, shape.height));
        std::memcpy(frames[f].data_ptr<uint8_t>(), half.data, static_cast<size_t>(half.total()));
      }
      per[i].push_back(frames);
    }
  });
  return per;
}

edge_output run_edge_model(torch::jit::Module& model, const std::vector<cv::Mat>& bgr, cv::Size grid) {
  std::vector<torch::Tensor> frames;
  for (auto& f : bgr)
    frames.push_back(bgr_tensor(f));
  torch::NoGradGuard no_grad;
  auto logits = model.forward({torch::stack(frames)}).toTensor();
  auto last = torch::softmax(logits.slice(0, logits.size(0) - 1), 1);
  auto pooled = torch::adaptive_avg_pool2d(last, {grid.height, grid.width})[0];
  return {logits.argmax(1).to(torch::kUInt8).contiguous(), (pooled * 255).round().to(torch::kUInt8).contiguous()};
}

cv::Mat labels_of_plane(const torch::Tensor& labels_hw) {
  return cv::Mat(static_cast<int>(labels_hw.size(0)), static_cast<int>(labels_hw.size(1)), CV_8U,
                 labels_hw.data_ptr<uint8_t>())
      .clone();
}

torch::Tensor luma_batch(const std::vector<torch::Tensor>& lumas) {
  return torch::stack(lumas).to(torch::kFloat32) / 255;
}

}  // namespace troupe::learning
