#include "learning/penance_inputs.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include <opencv2/imgproc.hpp>

#include "actors/penance/core/config_space.hpp"

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

vision::street_config drive_config(const penance_dataset_options& o) {
  vision::street_config c;
  c.width = o.width;
  c.height = o.height;
  c.fps = o.fps;
  c.duration_s = o.drives.drive_s;
  return c;
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
        cv::Mat grey, half;
        cv::cvtColor(drive.next().image, grey, cv::COLOR_BGR2GRAY);
        cv::resize(grey, half, cv::Size(shape.width, shape.height), 0, 0, cv::INTER_AREA);
        std::memcpy(frames[f].data_ptr<uint8_t>(), half.data, static_cast<size_t>(half.total()));
      }
      per[i].push_back(frames);
    }
  });
  return per;
}

torch::Tensor luma_batch(const std::vector<torch::Tensor>& lumas) {
  return torch::stack(lumas).to(torch::kFloat32) / 255;
}

}  // namespace troupe::learning
