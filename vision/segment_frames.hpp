// A video segment's frames as Penance's parts read them, the same in the dataset's
// builder, the trainers and the live kinds: frames scaled for an encoder setting, the
// halved luma the bitrate estimator reads, labels brought back to the full frame.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace troupe::vision {

// Each frame at `size` by area averaging; the frames themselves when they are that size.
std::vector<cv::Mat> scaled_frames(const std::vector<cv::Mat>& bgr, cv::Size size);

// A BGR frame's luma at `size` (the frame's halved, for the estimator), by area averaging.
cv::Mat luma_at(const cv::Mat& bgr, cv::Size size);

// Labels predicted at a smaller scale on the full frame: ⚑ nearest neighbour (bilinear
// logits at full size would cost a plane per class per pixel).
cv::Mat labels_at(const cv::Mat& labels, cv::Size size);

// Mean IoU of labels against a street drive's truth of the same size, the hood ignored.
double street_miou(const cv::Mat& predicted, const cv::Mat& truth);

}  // namespace troupe::vision
