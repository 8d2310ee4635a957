#include "actors/common/box_codec.hpp"

#include "vision/object_class.hpp"

namespace troupe {

std::vector<vision::detection> detections_of(const google::protobuf::RepeatedPtrField<msg::Box>& boxes) {
  std::vector<vision::detection> out;
  for (auto& b : boxes) {
    out.push_back({cv::Rect2f(b.x(), b.y(), b.width(), b.height()), vision::class_id(b.label()), b.score()});
  }
  return out;
}

void add_boxes(google::protobuf::RepeatedPtrField<msg::Box>& out, const std::vector<vision::detection>& found) {
  for (auto& d : found) {
    auto* b = out.Add();
    b->set_x(d.box.x);
    b->set_y(d.box.y);
    b->set_width(d.box.width);
    b->set_height(d.box.height);
    b->set_label(vision::class_name(d.label));
    b->set_score(d.score);
  }
}

}  // namespace troupe
