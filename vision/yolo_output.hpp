// The pieces every single-shot detector network shares, whatever runs it (libtorch,
// OpenCV DNN): letterboxing an image into the network's square input, decoding
// YOLO-style output rows, and non-maximum suppression.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

// An image scaled by `scale` (aspect kept) and centred in the input with padding.
struct letterbox {
  float scale = 1;
  int pad_x = 0, pad_y = 0;
  cv::Size input;
};

// `frame_width` > 0: the image may be a region cut from frames this wide, and is scaled
// as its whole frame would be, so objects keep the size the model saw in training.
letterbox fit_letterbox(cv::Size image, cv::Size input, int frame_width = 0);
// The network input: `bgr` scaled and padded with grey (114, as YOLO trainers pad).
cv::Mat apply_letterbox(const cv::Mat& bgr, const letterbox& lb);
// A box in input pixels back in image pixels.
cv::Rect2f from_letterbox(const cv::Rect2f& box, const letterbox& lb);
cv::Rect2f to_letterbox(const cv::Rect2f& box, const letterbox& lb);

// Rows of `columns` = 5 + classes floats: centre x, centre y, width, height (input
// pixels), objectness, then one score per class (the YOLOv5 export layout). A row
// scores objectness × its best class; rows under `min_score` are skipped.
std::vector<detection> decode_yolo_rows(const float* data, int rows, int columns, float min_score);
// Checks a network output shape [batch, rows, 5 + classes]; an explanation of what is
// wrong, or empty when it decodes.
std::string check_yolo_shape(const std::vector<int64_t>& shape);

// Greedy per-class suppression: a box overlapping a stronger one of its class by more
// than `iou_threshold` goes.
std::vector<detection> non_max_suppression(std::vector<detection> boxes, float iou_threshold);
using suppression = std::vector<detection> (*)(std::vector<detection>, float);

// One image's detections in image pixels: its rows decoded, taken out of the
// letterbox, suppressed per class by `suppress` (the GPU's, where a runner has one).
// What every network runner does after inference.
std::vector<detection> image_detections(const float* data, int rows, int columns, const letterbox& lb,
                                        float min_score, float nms_iou,
                                        suppression suppress = non_max_suppression);

}  // namespace troupe::vision
