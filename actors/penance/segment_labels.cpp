#include "actors/penance/segment_labels.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace troupe {

void add_labels(msg::penance::FrameLabels& out, uint32_t frame, const cv::Mat& labels) {
  std::vector<uint8_t> png;
  cv::imencode(".png", labels, png);
  out.set_frame(frame);
  out.set_png(std::string(png.begin(), png.end()));
}

cv::Mat labels_of(const msg::penance::FrameLabels& in) {
  std::vector<uint8_t> bytes(in.png().begin(), in.png().end());
  auto m = bytes.empty() ? cv::Mat() : cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  if (m.empty() || m.type() != CV_8U)
    throw std::runtime_error("frame " + std::to_string(in.frame()) + "'s labels are no 8-bit single-channel PNG");
  return m;
}

}  // namespace troupe
