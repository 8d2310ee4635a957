// Real H.264 through libavcodec's libx264: a segment's size falls as the QP rises and
// the resolution drops, it decodes alone to its frames, and bad input is refused.
#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "vision/h264_codec.hpp"

using namespace troupe::vision;

namespace {

const std::string vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

std::vector<cv::Mat> first_frames(int n, double scale = 1) {
  cv::VideoCapture video(vtest);
  std::vector<cv::Mat> frames;
  cv::Mat f;
  while (static_cast<int>(frames.size()) < n && video.read(f)) {
    cv::Mat scaled;
    cv::resize(f, scaled, cv::Size(), scale, scale, cv::INTER_AREA);
    frames.push_back(scaled);
  }
  return frames;
}

// A NAL unit of type `type` after an Annex B start code.
bool has_nal(const std::string& bytes, int type) {
  for (size_t i = 0; i + 3 < bytes.size(); ++i)
    if (bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1 && (bytes[i + 3] & 0x1f) == type)
      return true;
  return false;
}

}  // namespace

TEST(H264Codec, SizeFallsAsQpRisesAndResolutionDrops) {
  ASSERT_TRUE(libx264_available());
  auto full = first_frames(15), half = first_frames(15, 0.5);
  ASSERT_EQ(full.size(), 15u);
  auto q20 = encode_h264(full, {20}), q30 = encode_h264(full, {30}), half20 = encode_h264(half, {20});
  EXPECT_EQ(q20.frames, 15);
  EXPECT_GT(q20.bytes.size(), q30.bytes.size() * 3 / 2);
  EXPECT_GT(q20.bytes.size(), half20.bytes.size() * 2);
  EXPECT_TRUE(has_nal(q20.bytes, 5));  // an IDR: the segment decodes alone
  EXPECT_EQ(encode_h264(full, {20}).bytes, q20.bytes);  // one thread: the same bytes every time
}

TEST(H264Codec, ASegmentDecodesAloneToItsFrames) {
  auto frames = first_frames(15, 0.5);
  auto decoded = decode_h264(encode_h264(frames, {20}).bytes);
  ASSERT_EQ(decoded.size(), frames.size());
  for (size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(decoded[i].size(), frames[i].size());
    EXPECT_GT(cv::PSNR(decoded[i], frames[i]), 32) << "frame " << i;
  }
}

TEST(H264Codec, BadInputIsRefused) {
  auto frames = first_frames(2, 0.5);
  EXPECT_THROW(encode_h264(frames, {52}), std::invalid_argument);
  EXPECT_THROW(encode_h264({}, {20}), std::invalid_argument);
  EXPECT_THROW(encode_h264({cv::Mat(11, 20, CV_8UC3)}, {20}), std::invalid_argument);
  EXPECT_THROW(encode_h264({frames[0], cv::Mat(10, 20, CV_8UC3)}, {20}), std::invalid_argument);
  EXPECT_THROW(decode_h264("not a video at all"), std::runtime_error);
  EXPECT_THROW(decode_h264(""), std::runtime_error);
  // A segment cut short yields fewer frames or none, never a crash.
  auto bytes = encode_h264(first_frames(15, 0.5), {20}).bytes;
  try {
    EXPECT_LT(decode_h264(bytes.substr(0, bytes.size() / 3)).size(), 15u);
  } catch (const std::runtime_error&) {
  }
}
