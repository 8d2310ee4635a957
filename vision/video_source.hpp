// A video file or a folder of images (read in name order), from a start offset,
// looping or not. Whole frames: the camera's view (frame_source.hpp) crops them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/videoio.hpp>

namespace troupe::vision {

struct video_view {
  std::string path;       // a video file, or a folder of .png/.jpg/.jpeg/.bmp images
  cv::Rect crop;          // the camera's view of the frames (frame_source); empty: the whole frame
  int start_frame = 0;    // skip this many frames first
  bool loop = false;      // start over at the end
};

class video_source {
 public:
  // Throws std::runtime_error naming the file when it cannot be opened or read.
  explicit video_source(video_view view);
  // The next frame, or nullopt at the end of a non-looping source.
  std::optional<cv::Mat> next();
  uint64_t frames_read() const { return frames_read_; }

 private:
  void rewind();
  bool read(cv::Mat& frame);
  video_view view_;
  cv::VideoCapture capture_;
  std::vector<std::string> images_;  // folder mode
  size_t next_image_ = 0;
  uint64_t frames_read_ = 0;
};

}  // namespace troupe::vision
