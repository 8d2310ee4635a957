// Boxes between their wire form (msg::Box, label as text) and vision::detection
// (label as a class id): "person" is class 0, as the people detectors and ground truth
// name it; other labels are the class number written out.
#pragma once

#include <vector>

#include "troupe/messages/vision.pb.h"
#include "vision/detection.hpp"

namespace troupe {

std::vector<vision::detection> detections_of(const google::protobuf::RepeatedPtrField<msg::Box>& boxes);
void add_boxes(google::protobuf::RepeatedPtrField<msg::Box>& out, const std::vector<vision::detection>& found);

}  // namespace troupe
