// Large images come from a pool kept by size (vision/image_memory.hpp): an image of a
// size seen before takes a kept buffer, a size keeps no more than were ever in use at
// once, idle sizes beyond the most recent are forgotten, small images and images over
// the caller's memory stay with OpenCV's allocator.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detail/image_pool.hpp"
#include "vision/image_memory.hpp"

using namespace troupe::vision;
using detail::image_pool;

TEST(ImagePool, ABufferGivenBackServesTheNextTakeOfItsSize) {
  image_pool pool;
  void* a = pool.take(1 << 20);
  pool.give_back(a, 1 << 20);
  EXPECT_EQ(pool.now().kept_bytes, size_t(1) << 20);
  EXPECT_EQ(pool.take(1 << 20), a);
  EXPECT_EQ(pool.now().reused, 1u);
  EXPECT_EQ(pool.now().kept_bytes, 0u);
  void* b = pool.take(2 << 20);  // another size: fresh
  EXPECT_NE(b, a);
  EXPECT_EQ(pool.now().mapped, 2u);
  pool.give_back(a, 1 << 20);
  pool.give_back(b, 2 << 20);
}

TEST(ImagePool, ASizeKeepsNoMoreThanTheMostEverInUseAtOnce) {
  image_pool pool;
  constexpr size_t frame = 768 * 576 * 3;
  std::vector<void*> in_use;
  for (int i = 0; i < 3; ++i)
    in_use.push_back(pool.take(frame));
  for (void* p : in_use)
    pool.give_back(p, frame);
  for (int round = 0; round < 100; ++round) {  // a camera's frames: one or two at a time
    void* x = pool.take(frame);
    void* y = pool.take(frame);
    pool.give_back(x, frame);
    pool.give_back(y, frame);
  }
  auto c = pool.now();
  EXPECT_EQ(c.mapped, 3u);
  EXPECT_EQ(c.reused, 200u);
  EXPECT_EQ(c.kept_bytes, 3 * frame);
}

TEST(ImagePool, TheIdleSizesUsedLeastRecentlyAreForgottenSizesInUseStay) {
  image_pool pool;
  void* held = pool.take(200 << 10);  // in use throughout, and the first used: never forgotten
  auto size = [](size_t i) { return (256 << 10) + i * 4096; };
  constexpr size_t n = 3 * image_pool::max_sizes;
  for (size_t i = 1; i <= n; ++i)
    pool.give_back(pool.take(size(i)), size(i));
  EXPECT_LE(pool.now().sizes, image_pool::max_sizes + 1);
  EXPECT_EQ(pool.now().mapped, n + 1);

  auto reused = pool.now().reused;
  pool.give_back(pool.take(size(n - image_pool::max_sizes + 2)), size(n - image_pool::max_sizes + 2));
  EXPECT_EQ(pool.now().reused, reused + 1);  // among the most recent: kept
  pool.give_back(pool.take(size(1)), size(1));
  EXPECT_EQ(pool.now().reused, reused + 1);  // the least recent: forgotten, mapped afresh
  EXPECT_EQ(pool.now().mapped, n + 2);

  pool.give_back(held, 200 << 10);
  EXPECT_EQ(pool.take(200 << 10), held);  // its size was not forgotten while in use
  pool.give_back(held, 200 << 10);
}

TEST(ImagePool, ThreadsTakingAndGivingBackAtOnceKeepTheBooks) {
  image_pool pool;
  constexpr size_t frame = 768 * 576 * 3, grey = 768 * 576;
  std::vector<std::thread> cameras;
  for (int t = 0; t < 4; ++t)
    cameras.emplace_back([&pool, t] {
      for (int i = 0; i < 2000; ++i) {
        size_t bytes = (i + t) % 3 ? frame : grey;
        auto* p = static_cast<unsigned char*>(pool.take(bytes));
        p[0] = p[bytes - 1] = static_cast<unsigned char>(t);  // writable to its last byte
        pool.give_back(p, bytes);
      }
    });
  for (auto& c : cameras)
    c.join();
  auto c = pool.now();
  EXPECT_EQ(c.mapped + c.reused, 8000u);
  EXPECT_LE(c.mapped, 8u);  // at most four of each size were ever in use at once
  EXPECT_GE(c.kept_bytes, frame + grey);  // everything given back is kept
  EXPECT_LE(c.kept_bytes, 4 * frame + 4 * grey);
}

TEST(ImageMemory, LargeImagesComeFromThePoolSmallOnesAndBorrowedMemoryDoNot) {
  use_pooled_image_memory();
  auto before = image_memory().now();
  const uchar* first;
  {
    cv::Mat frame(576, 768, CV_8UC3, cv::Scalar(1, 2, 3));
    first = frame.data;
    EXPECT_EQ(frame.step[0], size_t(768 * 3));
    EXPECT_EQ(frame.at<cv::Vec3b>(575, 767), cv::Vec3b(1, 2, 3));
  }
  cv::Mat again(576, 768, CV_8UC3);
  EXPECT_EQ(again.data, first);  // the same size again: the buffer just given back
  EXPECT_GE(image_memory().now().reused, before.reused + 1);

  auto mid = image_memory().now();
  cv::Mat small(32, 32, CV_8UC3);
  cv::Mat cube(std::vector<int>{64, 48, 32}, CV_32FC2);  // three dimensions, 768 KB: pooled
  EXPECT_EQ(cube.step[2], size_t(8));
  EXPECT_EQ(cube.step[1], size_t(32 * 8));
  EXPECT_EQ(cube.step[0], size_t(48 * 32 * 8));
  auto after = image_memory().now();
  EXPECT_EQ(after.mapped + after.reused, mid.mapped + mid.reused + 1);
}

// An image over memory that is already there (a UMat over a Mat's pixels) is not the
// pool's, and the pixels go back only when nothing sees them any more.
TEST(ImageMemory, PixelsSharedWithAUMatGoBackOnlyOnceBothAreReleased) {
  use_pooled_image_memory();
  cv::Mat frame(576, 768, CV_8UC3, cv::Scalar(7, 7, 7));
  auto taken = image_memory().now();
  auto kept_before = taken.kept_bytes;
  {
    cv::UMat view = frame.getUMat(cv::ACCESS_READ);
    auto during = image_memory().now();
    EXPECT_EQ(during.mapped + during.reused, taken.mapped + taken.reused);  // no buffer for the view
    frame.release();
    EXPECT_EQ(image_memory().now().kept_bytes, kept_before);  // the view still sees them
    EXPECT_EQ(view.getMat(cv::ACCESS_READ).at<cv::Vec3b>(0, 0), cv::Vec3b(7, 7, 7));
  }
  EXPECT_EQ(image_memory().now().kept_bytes, kept_before + 768 * 576 * 3);
}
