// Large images come from a pool kept by size (vision/image_memory.hpp): an image of a
// size seen before takes a kept buffer, a size keeps no more than were ever in use at
// once, idle sizes beyond the most recent are forgotten, small images and images over
// the caller's memory stay with OpenCV's allocator.
#include <gtest/gtest.h>

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

TEST(ImagePool, IdleSizesBeyondTheMostRecentAreForgottenSizesInUseStay) {
  image_pool pool;
  void* held = pool.take(200 << 10);  // in use throughout: never forgotten
  for (size_t i = 1; i <= 3 * image_pool::max_sizes; ++i)
    pool.give_back(pool.take((256 << 10) + i * 4096), (256 << 10) + i * 4096);
  auto c = pool.now();
  EXPECT_LE(c.sizes, image_pool::max_sizes + 1);
  EXPECT_LE(c.kept_bytes, image_pool::max_sizes * ((256 << 10) + 3 * image_pool::max_sizes * 4096));
  size_t newest = (256 << 10) + 3 * image_pool::max_sizes * 4096;
  EXPECT_NE(pool.take(newest), nullptr);  // the most recent size is still kept
  EXPECT_EQ(pool.now().reused, 1u);
  pool.give_back(held, 200 << 10);
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
  std::vector<uchar> own(1 << 20);
  cv::Mat borrowed(1024, 1024, CV_8UC1, own.data());
  cv::Mat copy = borrowed.clone();  // a copy owns its pixels: pooled
  auto after = image_memory().now();
  EXPECT_EQ(after.mapped + after.reused, mid.mapped + mid.reused + 1);
  EXPECT_EQ(borrowed.data, own.data());
}
