#include "vision/yolo_output.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

namespace troupe::vision {

letterbox fit_letterbox(cv::Size image, cv::Size input, int frame_width) {
  letterbox lb;
  lb.input = input;
  lb.scale = std::min(float(input.width) / image.width, float(input.height) / image.height);
  if (frame_width > 0)
    lb.scale = std::min(lb.scale, float(input.width) / frame_width);
  lb.pad_x = (input.width - int(std::lround(image.width * lb.scale))) / 2;
  lb.pad_y = (input.height - int(std::lround(image.height * lb.scale))) / 2;
  return lb;
}

cv::Mat apply_letterbox(const cv::Mat& bgr, const letterbox& lb) {
  cv::Mat out(lb.input, bgr.type(), cv::Scalar::all(114));
  cv::Size scaled(int(std::lround(bgr.cols * lb.scale)), int(std::lround(bgr.rows * lb.scale)));
  cv::resize(bgr, out(cv::Rect(cv::Point(lb.pad_x, lb.pad_y), scaled)), scaled, 0, 0, cv::INTER_AREA);
  return out;
}

cv::Rect2f from_letterbox(const cv::Rect2f& box, const letterbox& lb) {
  return {(box.x - lb.pad_x) / lb.scale, (box.y - lb.pad_y) / lb.scale, box.width / lb.scale,
          box.height / lb.scale};
}

cv::Rect2f to_letterbox(const cv::Rect2f& box, const letterbox& lb) {
  return {box.x * lb.scale + lb.pad_x, box.y * lb.scale + lb.pad_y, box.width * lb.scale,
          box.height * lb.scale};
}

std::vector<detection> decode_yolo_rows(const float* data, int rows, int columns, float min_score) {
  std::vector<detection> out;
  for (int r = 0; r < rows; ++r) {
    const float* row = data + size_t(r) * columns;
    auto best = std::max_element(row + 5, row + columns);
    float score = row[4] * *best;
    if (score < min_score)
      continue;
    cv::Rect2f box(row[0] - row[2] / 2, row[1] - row[3] / 2, row[2], row[3]);
    out.push_back({box, int(best - (row + 5)), score});
  }
  return out;
}

std::string check_yolo_shape(const std::vector<int64_t>& shape) {
  std::string dims;
  for (auto d : shape)
    dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  if (shape.size() != 3 || shape[2] < 6)
    return "output shape [" + dims + "] does not decode: expected [batch, rows, 5 + classes]";
  return {};
}

std::vector<detection> image_detections(const float* data, int rows, int columns, const letterbox& lb,
                                        float min_score, float nms_iou, suppression suppress) {
  auto found = decode_yolo_rows(data, rows, columns, min_score);
  for (auto& d : found)
    d.box = from_letterbox(d.box, lb);
  return suppress(std::move(found), nms_iou);
}

std::vector<detection> non_max_suppression(std::vector<detection> boxes, float iou_threshold) {
  std::stable_sort(boxes.begin(), boxes.end(), [](auto& a, auto& b) { return a.score > b.score; });
  std::vector<detection> kept;
  for (auto& candidate : boxes) {
    bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const detection& k) {
      return k.label == candidate.label && iou(k.box, candidate.box) > iou_threshold;
    });
    if (!overlaps)
      kept.push_back(candidate);
  }
  return kept;
}

}  // namespace troupe::vision
