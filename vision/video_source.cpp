#include "vision/video_source.hpp"

#include <stdexcept>

namespace troupe::vision {

video_source::video_source(video_view view) : view_(std::move(view)) {
  rewind();
}

void video_source::rewind() {
  capture_.open(view_.path);
  if (!capture_.isOpened())
    throw std::runtime_error("cannot open video " + view_.path);
  cv::Mat skip;
  for (int i = 0; i < view_.start_frame; ++i)
    if (!capture_.read(skip))
      throw std::runtime_error("video " + view_.path + " has fewer than " +
                               std::to_string(view_.start_frame) + " frames");
}

std::optional<cv::Mat> video_source::next() {
  cv::Mat frame;
  if (!capture_.read(frame)) {
    if (!view_.loop || frames_read_ == 0)
      return std::nullopt;
    rewind();
    if (!capture_.read(frame))
      return std::nullopt;
  }
  ++frames_read_;
  if (view_.crop.area() == 0)
    return frame;
  auto crop = view_.crop & cv::Rect(0, 0, frame.cols, frame.rows);
  if (crop.area() == 0)
    throw std::runtime_error("crop lies outside the frames of " + view_.path);
  return frame(crop).clone();
}

}  // namespace troupe::vision
