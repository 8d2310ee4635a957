// The GPU operations (gpu/ops/). On any machine: the kernels' own arithmetic, run on
// the host, against OpenCV's resize and vision's NMS (odd, 1×1, wide, tall and
// enlarged images, frame_width, mixed batches; empty, identical, tied, multi-class and
// 10 k boxes), the CPU path, and bad input. With a device (else skipped): the device's
// pixels and keep-sets against those, and the occupancy model against CUDA's own.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include <opencv2/imgproc.hpp>

#include "gpu/model/occupancy.hpp"
#include "gpu/ops/detail/cuda_ops.hpp"
#include "gpu/ops/device.hpp"
#include "gpu/ops/letterbox_batch.hpp"
#include "gpu/ops/nms.hpp"

using namespace troupe;
using namespace troupe::gpu;

namespace {

cv::Mat noise(int width, int height, unsigned seed) {
  cv::Mat m(height, width, CV_8UC3);
  cv::RNG rng(seed);
  rng.fill(m, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(m, m, {3, 3}, 0);  // some structure, as in video, beside pure noise
  return m;
}

detail::image_view view_of(const cv::Mat& m) {
  return {m.data, m.cols, m.rows, int(m.step[0]), 3};
}

detail::placement placement_of(const cv::Mat& m, const vision::letterbox& lb) {
  return {lb.input.width, lb.pad_x, lb.pad_y, int(std::lround(m.cols * lb.scale)), int(std::lround(m.rows * lb.scale))};
}

// Largest difference between the host-run kernel arithmetic and vision's letterbox;
// also fails the test when more than 0.1 % of the values differ at all: the arithmetic
// is OpenCV's own (it matched bit for bit on every case here when written).
float kernel_vs_opencv(const cv::Mat& image, int input, int frame_width = 0) {
  auto lb = vision::fit_letterbox(image.size(), {input, input}, frame_width);
  auto reference = vision::apply_letterbox(image, lb);
  auto p = placement_of(image, lb);
  float worst = 0;
  int differ = 0;
  for (int y = 0; y < input; ++y)
    for (int x = 0; x < input; ++x)
      for (int c = 0; c < 3; ++c) {
        float d = std::abs(detail::letterbox_value(view_of(image), p, x, y, c) - reference.at<cv::Vec3b>(y, x)[c] / 255.f);
        worst = std::max(worst, d);
        differ += d > 0;
      }
  EXPECT_LE(differ, input * input * 3 / 1000) << image.cols << "x" << image.rows << " into " << input;
  return worst;
}

std::vector<vision::detection> random_boxes(int n, int classes, unsigned seed, bool tied_scores = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> at(-20, 600), size(1, 120), score(0, 1);
  std::vector<vision::detection> boxes;
  for (int i = 0; i < n; ++i) {
    vision::detection d;
    d.box = {at(rng), at(rng), size(rng), size(rng)};
    d.label = int(rng() % classes);
    d.score = tied_scores ? float(rng() % 4) / 4 : score(rng);
    d.id = i;
    boxes.push_back(d);
  }
  return boxes;
}

// The kernel's mask, computed on the host and reduced, in NMS's stable score order.
std::vector<vision::detection> nms_by_mask(std::vector<vision::detection> boxes, float iou) {
  std::stable_sort(boxes.begin(), boxes.end(), [](auto& a, auto& b) { return a.score > b.score; });
  std::vector<detail::box> plain;
  for (auto& d : boxes)
    plain.push_back({d.box.x, d.box.y, d.box.width, d.box.height, d.label});
  std::vector<vision::detection> kept;
  for (int i : detail::reduce_mask(detail::overlap_mask_on_host(plain, iou), int(plain.size())))
    kept.push_back(boxes[i]);
  return kept;
}

std::vector<int> ids(const std::vector<vision::detection>& boxes) {
  std::vector<int> out;
  for (auto& d : boxes)
    out.push_back(d.id);
  return out;
}

constexpr float one_level = 1.f / 255 + 1e-6f;

}  // namespace

TEST(GpuLetterbox, TheKernelsArithmeticIsOpenCVsAreaResize) {
  EXPECT_LE(kernel_vs_opencv(noise(768, 576, 1), 320), one_level);    // shrink, non-integer
  EXPECT_LE(kernel_vs_opencv(noise(640, 480, 2), 320), one_level);    // shrink by exactly 2
  EXPECT_LE(kernel_vs_opencv(noise(1280, 720, 3), 640), one_level);   // 720p into 640
  EXPECT_LE(kernel_vs_opencv(noise(1920, 1080, 4), 320), one_level);  // by 6
  EXPECT_LE(kernel_vs_opencv(noise(333, 211, 5), 320), one_level);    // odd sizes
  EXPECT_LE(kernel_vs_opencv(noise(1000, 10, 6), 320), one_level);    // wide
  EXPECT_LE(kernel_vs_opencv(noise(10, 1000, 7), 320), one_level);    // tall
  EXPECT_LE(kernel_vs_opencv(noise(100, 60, 8), 320), one_level);     // enlarged
  EXPECT_LE(kernel_vs_opencv(noise(1, 1, 9), 320), one_level);        // one pixel
  EXPECT_LE(kernel_vs_opencv(noise(320, 320, 10), 320), one_level);   // already the size
  EXPECT_LE(kernel_vs_opencv(noise(200, 150, 11), 320, 1280), one_level);  // a region of a 1280-wide frame
}

TEST(GpuLetterbox, ABatchIsEachImageLetterboxedInNchwPlanes) {
  std::vector<cv::Mat> images = {noise(768, 576, 1), noise(31, 97, 2), noise(200, 150, 3)};
  auto batch = letterbox_batch(images, 64, 400);
  ASSERT_EQ(batch.images, 3);
  ASSERT_EQ(batch.nchw.size(), 3u * 3 * 64 * 64);
  for (int i = 0; i < 3; ++i) {
    auto lb = vision::fit_letterbox(images[i].size(), {64, 64}, 400);
    EXPECT_EQ(batch.placements[i].pad_x, lb.pad_x);
    auto reference = vision::apply_letterbox(images[i], lb);
    float worst = 0;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 64; ++y)
        for (int x = 0; x < 64; ++x)
          worst = std::max(worst, std::abs(batch.nchw[((i * 3 + c) * 64 + y) * 64 + x] -
                                           reference.at<cv::Vec3b>(y, x)[c] / 255.f));
    EXPECT_LE(worst, batch.on_device ? one_level : 1e-7f) << "image " << i;
  }
  EXPECT_EQ(batch.on_device, device_usable());
}

TEST(GpuLetterbox, BadInputIsRefusedAndAnEmptyBatchIsEmpty) {
  EXPECT_TRUE(letterbox_batch({}, 320).nchw.empty());
  EXPECT_THROW(letterbox_batch({noise(8, 8, 1)}, 0), std::invalid_argument);
  EXPECT_THROW(letterbox_batch({cv::Mat()}, 320), std::invalid_argument);
  EXPECT_THROW(letterbox_batch({cv::Mat(8, 8, CV_8UC1, cv::Scalar(1))}, 320), std::invalid_argument);
  EXPECT_THROW(letterbox_batch({noise(4, 4, 1)}, 2, 100000), std::invalid_argument);  // scales to nothing
}

TEST(GpuNms, TheKernelsMaskKeepsWhatVisionKeeps) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    auto boxes = random_boxes(3000, 3, seed);
    EXPECT_EQ(ids(nms_by_mask(boxes, 0.45f)), ids(vision::non_max_suppression(boxes, 0.45f))) << "seed " << seed;
  }
  auto tied = random_boxes(2000, 2, 7, true);  // many equal scores: the stable order decides
  EXPECT_EQ(ids(nms_by_mask(tied, 0.3f)), ids(vision::non_max_suppression(tied, 0.3f)));
  auto many = random_boxes(10000, 1, 11);
  auto kept = nms_by_mask(many, 0.5f);
  EXPECT_EQ(ids(kept), ids(vision::non_max_suppression(many, 0.5f)));
  EXPECT_LT(kept.size(), many.size());
}

TEST(GpuNms, IdenticalBoxesKeepTheFirstAndClassesDoNotSuppressEachOther) {
  vision::detection a{{10, 10, 50, 50}, 0, 0.9f, 1};
  auto same = a;
  same.id = 2;
  auto other_class = a;
  other_class.label = 1;
  other_class.id = 3;
  EXPECT_EQ(ids(nms_by_mask({a, same, other_class}, 0.5f)), (std::vector<int>{1, 3}));
  EXPECT_EQ(ids(nms({a, same, other_class}, 0.5f)), (std::vector<int>{1, 3}));
  EXPECT_TRUE(nms({}, 0.5f).empty());
  EXPECT_TRUE(detail::reduce_mask({}, 0).empty());
}

TEST(GpuNms, ANonFiniteBoxIsRefused) {
  vision::detection bad{{NAN, 0, 1, 1}, 0, 0.5f};
  EXPECT_THROW(nms({bad}, 0.5f), std::invalid_argument);
  vision::detection inf_score{{0, 0, 1, 1}, 0, INFINITY};
  EXPECT_THROW(nms({inf_score}, 0.5f), std::invalid_argument);
}

TEST(GpuNms, TheDispatchedNmsIsVisions) {
  auto boxes = random_boxes(5000, 4, 21);
  EXPECT_EQ(ids(nms(boxes, 0.45f)), ids(vision::non_max_suppression(boxes, 0.45f)));
}

TEST(GpuDevice, TheReasonForTheCpuIsSaid) {
  if (device_usable())
    EXPECT_TRUE(cpu_reason().empty());
  else
    EXPECT_FALSE(cpu_reason().empty());
#ifndef TROUPE_CUDA
  if (!std::getenv("TROUPE_GPU"))
    EXPECT_EQ(cpu_reason(), "built without CUDA (TROUPE_CUDA=OFF)");
#endif
  EXPECT_EQ(fallbacks(), 0);
}

TEST(GpuDeviceParity, TheDevicesPixelsAreTheKernelArithmetics) {
  if (!device_usable())
    GTEST_SKIP() << "no device: " << cpu_reason();
  std::vector<cv::Mat> images = {noise(1280, 720, 1), noise(1, 1, 2), noise(1000, 10, 3), noise(10, 1000, 4),
                                 noise(333, 211, 5), noise(100, 60, 6)};
  for (int input : {320, 640}) {
    auto batch = letterbox_batch(images, input);
    ASSERT_TRUE(batch.on_device);
    size_t plane = size_t(input) * input;
    for (size_t i = 0; i < images.size(); ++i) {
      auto p = placement_of(images[i], batch.placements[i]);
      float worst = 0;
      for (int c = 0; c < 3; ++c)
        for (int y = 0; y < input; ++y)
          for (int x = 0; x < input; ++x)
            worst = std::max(worst, std::abs(batch.nchw[(i * 3 + c) * plane + y * input + x] -
                                             detail::letterbox_value(view_of(images[i]), p, x, y, c)));
      EXPECT_LE(worst, one_level) << "image " << i << " into " << input;
    }
  }
}

TEST(GpuDeviceParity, TheDevicesMaskIsTheHostsAndKeepsVisionsSet) {
  if (!device_usable())
    GTEST_SKIP() << "no device: " << cpu_reason();
  for (int n : {1, 63, 64, 65, 1000, 10000}) {
    auto boxes = random_boxes(n, 3, unsigned(n));
    std::vector<detail::box> plain;
    for (auto& d : boxes)
      plain.push_back({d.box.x, d.box.y, d.box.width, d.box.height, d.label});
    EXPECT_EQ(detail::overlap_mask_on_device(plain, 0.45f), detail::overlap_mask_on_host(plain, 0.45f)) << n;
    EXPECT_EQ(ids(nms(boxes, 0.45f)), ids(vision::non_max_suppression(boxes, 0.45f))) << n;
  }
  EXPECT_EQ(fallbacks(), 0);
}

TEST(GpuDeviceParity, TheOccupancyModelAgreesWithCuda) {
  if (!device_usable())
    GTEST_SKIP() << "no device: " << cpu_reason();
  auto archs = load_gpu_archs(std::string(TROUPE_SOURCE_DIR) + "/gpu/arch_limits.yaml");
  for (auto& k : detail::our_kernels()) {
    kernel shape;
    shape.name = k.name;
    shape.block[0] = k.threads;
    shape.regs = k.regs;
    shape.static_smem = k.static_smem;
    shape.duration_us = 1;
    auto& arch = find_arch(archs, k.arch);
    auto s = shape_of(shape, arch);
    EXPECT_EQ(blocks_within(s, capacity(arch), arch), k.cuda_blocks_per_sm)
        << k.name << " on " << k.arch << ": " << k.regs << " registers, " << k.static_smem << " B shared";
  }
}
