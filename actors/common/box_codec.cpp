#include "actors/common/box_codec.hpp"

#include <cstdlib>

namespace troupe {

std::vector<vision::detection> detections_of(const google::protobuf::RepeatedPtrField<msg::Box>& boxes) {
  std::vector<vision::detection> out;
  for (auto& b : boxes) {
    int label = b.label() == "person" ? 0 : std::atoi(b.label().c_str());
    out.push_back({cv::Rect2f(b.x(), b.y(), b.width(), b.height()), label, b.score()});
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
    b->set_label(d.label == 0 ? "person" : std::to_string(d.label));
    b->set_score(d.score);
  }
}

}  // namespace troupe
