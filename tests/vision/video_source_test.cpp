#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <opencv2/imgcodecs.hpp>

#include "vision/frame_source.hpp"
#include "vision/video_source.hpp"

using namespace troupe::vision;

namespace {
const std::string vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
}

TEST(VideoSource, CropAndOffsetMakeDistinctCameras) {
  auto a = open_frame_source({{vtest, cv::Rect(0, 0, 384, 288), 0, false}});
  auto b = open_frame_source({{vtest, cv::Rect(384, 288, 384, 288), 50, false}});
  auto fa = a->next(), fb = b->next();
  ASSERT_TRUE(fa && fb);
  EXPECT_EQ(fa->image.size(), cv::Size(384, 288));
  EXPECT_GT(cv::norm(fa->image, fb->image, cv::NORM_L1), 0);
  EXPECT_EQ(fa->index, 0u);  // the first frame read
}

TEST(VideoSource, ImageFolderInNameOrderWithLoop) {
  auto dir = std::filesystem::path(::testing::TempDir()) / "frames";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (int i = 0; i < 3; ++i)
    cv::imwrite((dir / ("f" + std::to_string(i) + ".png")).string(), cv::Mat(4, 6, CV_8UC3, cv::Scalar(i * 50, 0, 0)));
  std::ofstream((dir / "notes.txt").string()) << "not an image";
  video_source s({dir.string(), {}, 1, true});
  std::vector<int> blues;
  for (int i = 0; i < 4; ++i)
    blues.push_back(s.next()->at<cv::Vec3b>(0, 0)[0]);
  EXPECT_EQ(blues, (std::vector<int>{50, 100, 50, 100}));  // starts at frame 1, loops past the offset
}

TEST(VideoSource, ClearErrors) {
  video_view missing;
  missing.path = "/nonexistent.avi";
  EXPECT_THROW(video_source{missing}, std::runtime_error);
  auto empty = std::filesystem::path(::testing::TempDir()) / "empty-frames";
  std::filesystem::create_directories(empty);
  try {
    video_view folder;
    folder.path = empty.string();
    video_source s(folder);
    ADD_FAILURE();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("holds no .png"), std::string::npos);
  }
}
