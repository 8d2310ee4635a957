#include "vision/jpeg_codec.hpp"

#include <stdexcept>
#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace troupe::vision {

std::string encode_jpeg(const cv::Mat& image, int quality) {
  std::vector<uchar> buffer;
  if (!cv::imencode(".jpg", image, buffer, {cv::IMWRITE_JPEG_QUALITY, quality}))
    throw std::runtime_error("JPEG encoding failed");
  return std::string(buffer.begin(), buffer.end());
}

cv::Mat decode_jpeg(const std::string& bytes) {
  std::vector<uchar> buffer(bytes.begin(), bytes.end());
  cv::Mat image = cv::imdecode(buffer, cv::IMREAD_COLOR);
  if (image.empty())
    throw std::runtime_error("not a JPEG image (" + std::to_string(bytes.size()) + " bytes)");
  return image;
}

}  // namespace troupe::vision
