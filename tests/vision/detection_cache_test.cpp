#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "vision/detection_cache.hpp"
#include "vision/detector.hpp"
#include "vision/video_source.hpp"

using namespace troupe::vision;
namespace fs = std::filesystem;

namespace {

const std::string vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

std::string fresh_dir(const std::string& name) {
  auto dir = fs::path(::testing::TempDir()) / name;
  fs::remove_all(dir);
  return dir.string();
}

// HOG over the first frames of vtest, through the cache.
std::vector<std::vector<detection>> run(detection_cache& cache, int frames) {
  auto hog = make_detector("hog");
  video_source source({vtest, {}, 0, false});
  std::vector<std::vector<detection>> out;
  for (int f = 0; f < frames; ++f) {
    auto image = source.next();
    cache_key key{vtest, {}, "hog", static_cast<uint64_t>(f)};
    auto found = cache.find(key);
    if (!found) {
      found = hog->detect(*image);
      cache.store(key, *found);
    }
    out.push_back(*found);
  }
  return out;
}

}  // namespace

TEST(DetectionCache, ColdAndWarmRunsAreIdentical) {
  auto dir = fresh_dir("cache");
  detection_cache cold_cache(dir);
  auto cold = run(cold_cache, 4);
  EXPECT_EQ(cold_cache.misses(), 4u);
  EXPECT_EQ(cold_cache.hits(), 0u);
  detection_cache warm_cache(dir);  // a new run reads what the last one stored
  auto warm = run(warm_cache, 4);
  EXPECT_EQ(warm_cache.hits(), 4u);
  EXPECT_EQ(warm_cache.misses(), 0u);
  ASSERT_EQ(cold.size(), warm.size());
  size_t boxes = 0;
  for (size_t f = 0; f < cold.size(); ++f) {
    ASSERT_EQ(cold[f].size(), warm[f].size());
    for (size_t i = 0; i < cold[f].size(); ++i) {
      EXPECT_EQ(cold[f][i].box, warm[f][i].box);
      EXPECT_EQ(cold[f][i].score, warm[f][i].score);
      ++boxes;
    }
  }
  EXPECT_GT(boxes, 0u);
}

TEST(DetectionCache, KeyIncludesCropModelAndFrame) {
  detection_cache cache(fresh_dir("cache-keys"));
  cache.store({vtest, {}, "hog", 1}, {{cv::Rect2f(1, 2, 3, 4), 0, 0.5f}});
  EXPECT_TRUE(cache.find({vtest, {}, "hog", 1}));
  EXPECT_FALSE(cache.find({vtest, {}, "hog", 2}));
  EXPECT_FALSE(cache.find({vtest, cv::Rect(0, 0, 10, 10), "hog", 1}));
  EXPECT_FALSE(cache.find({vtest, {}, "mog2", 1}));
  EXPECT_FALSE(cache.find({"other-source", {}, "hog", 1}));
  cache.store({vtest, {}, "hog", 3}, {});  // an empty result is a result too
  auto empty = cache.find({vtest, {}, "hog", 3});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(DetectionCache, TruncatedTailIsSkippedAndCounted) {
  auto dir = fresh_dir("cache-damaged");
  {
    detection_cache cache(dir);
    cache.store({"cam", {}, "m", 0}, {{cv::Rect2f(1, 1, 1, 1), 0, 1}});
    cache.store({"cam", {}, "m", 1}, {{cv::Rect2f(2, 2, 2, 2), 0, 1}});
  }
  auto file = fs::directory_iterator(dir)->path();
  fs::resize_file(file, fs::file_size(file) - 5);  // the last record loses its end
  detection_cache cache(dir);
  EXPECT_TRUE(cache.find({"cam", {}, "m", 0}));
  EXPECT_FALSE(cache.find({"cam", {}, "m", 1}));
  EXPECT_EQ(cache.damaged_records(), 1u);
  cache.store({"cam", {}, "m", 1}, {{cv::Rect2f(3, 3, 3, 3), 0, 1}});  // recomputed
  detection_cache again(dir);
  auto frame1 = again.find({"cam", {}, "m", 1});
  ASSERT_TRUE(frame1);
  EXPECT_EQ((*frame1)[0].box, cv::Rect2f(3, 3, 3, 3));
  EXPECT_EQ(again.damaged_records(), 0u);
}

// A model retrained at the same path is another model: its file's size and modification
// time are part of its identity, so old detections are not read back for it.
TEST(DetectionCache, FileIdentityChangesWhenTheFileIsRewritten) {
  auto dir = fresh_dir("cache-model");
  fs::create_directories(dir);
  auto file = dir + "/model.pt";
  std::ofstream(file) << "weights, first training";
  auto first = file_identity(file);
  EXPECT_NE(first, file);
  std::ofstream(file) << "weights, second training!";
  EXPECT_NE(file_identity(file), first);
  EXPECT_EQ(file_identity("hog"), "hog");  // a built-in model's name stays as it is
}
