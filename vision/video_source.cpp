#include "vision/video_source.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <stdexcept>

#include <opencv2/imgcodecs.hpp>

namespace troupe::vision {

namespace {

std::vector<std::string> images_in(const std::string& folder) {
  std::vector<std::string> out;
  for (auto& entry : std::filesystem::directory_iterator(folder)) {
    auto ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp"))
      out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  if (out.empty())
    throw std::runtime_error("image folder " + folder + " holds no .png, .jpg, .jpeg or .bmp files");
  return out;
}

}  // namespace

video_source::video_source(video_view view) : view_(std::move(view)) {
  if (std::filesystem::is_directory(view_.path))
    images_ = images_in(view_.path);
  rewind();
}

void video_source::rewind() {
  next_image_ = 0;
  if (images_.empty()) {
    capture_.open(view_.path);
    if (!capture_.isOpened())
      throw std::runtime_error("cannot open video " + view_.path);
  }
  cv::Mat skip;
  for (int i = 0; i < view_.start_frame; ++i)
    if (!read(skip))
      throw std::runtime_error(view_.path + " has fewer than " + std::to_string(view_.start_frame) +
                               " frames");
}

bool video_source::read(cv::Mat& frame) {
  if (images_.empty())
    return capture_.read(frame);
  if (next_image_ >= images_.size())
    return false;
  auto& file = images_[next_image_++];
  frame = cv::imread(file, cv::IMREAD_COLOR);
  if (frame.empty())
    throw std::runtime_error("cannot read image " + file);
  return true;
}

std::optional<cv::Mat> video_source::next() {
  cv::Mat frame;
  if (!read(frame)) {
    if (!view_.loop || frames_read_ == 0)
      return std::nullopt;
    rewind();
    if (!read(frame))
      return std::nullopt;
  }
  ++frames_read_;
  return frame;
}

}  // namespace troupe::vision
