// Labels on the wire: a frame's street classes as PNG (lossless, and small: a class map
// is mostly runs), the same for the camera's truth and the segmenter's predictions.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

#include "troupe/messages/penance.pb.h"

namespace troupe {

void add_labels(msg::penance::FrameLabels& out, uint32_t frame, const cv::Mat& labels);
// Throws std::runtime_error when the bytes are no 8-bit single-channel PNG.
cv::Mat labels_of(const msg::penance::FrameLabels& in);

}  // namespace troupe
