// H.264 segments through libavcodec: each segment a closed stream of its own, an IDR
// first, libx264 at a constant QP; and back to frames. Penance uploads these, so the
// sizes its estimator learns are a real encoder's.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace troupe::vision {

struct h264_settings {
  int qp = 20;                        // constant QP, 0–51
  int fps = 15;
  int bframes = 3;
  std::string preset = "superfast";
  int threads = 1;
};

struct h264_segment {
  std::string bytes;  // Annex B
  int frames = 0;
};

// False when libavcodec was built without libx264.
bool libx264_available();

// Encodes BGR frames of one size (even sides) as one segment; the GOP is the segment.
// Throws std::invalid_argument for bad settings or frames, std::runtime_error when the
// encoder fails or libx264 is missing.
h264_segment encode_h264(const std::vector<cv::Mat>& frames, const h264_settings& s);

// Every frame of a segment, BGR, in display order. Throws std::runtime_error when the
// bytes do not decode.
std::vector<cv::Mat> decode_h264(const std::string& bytes);

}  // namespace troupe::vision
