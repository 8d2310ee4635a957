// Regions cross the bus JPEG-encoded.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace troupe::vision {

std::string encode_jpeg(const cv::Mat& image, int quality);
// Throws std::runtime_error when the bytes are not a JPEG image.
cv::Mat decode_jpeg(const std::string& bytes);

}  // namespace troupe::vision
