// The functions of VideoJam's pipelines (videojam-roomie-thesis.txt, §3.5.1, Fig. 3.1),
// as computations on one work item: background subtraction cuts a fixed camera's
// moving blobs; a detector finds objects in a frame (mobile cameras) or confirms them
// in a blob; OCR reads the text in an object. Each returns the items it passes on.
// An emulated function does no pixel work: its cost is the device profile's timing of
// the objects (or the frame) an item stands for, as OctoCross's crowds need.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "actors/runtime/kind_registry.hpp"
#include "actors/runtime/params.hpp"
#include "troupe/messages/vision.pb.h"

namespace troupe {

class pipeline_function {
 public:
  virtual ~pipeline_function() = default;
  // Items for the next function (or the results, for the last one). Throws on an
  // image that cannot be decoded.
  virtual std::vector<msg::WorkItem> run(const msg::WorkItem& in) = 0;
  // The name device profiles time it by.
  virtual const std::string& model() const = 0;
  // The input size, in pixels, device profiles time `in` at.
  virtual double work_px(const msg::WorkItem& in) const { return double(in.width()) * in.height(); }
  // Whether it only stands for work: without a device profile it would cost nothing.
  virtual bool emulated() const { return false; }
};

// `function`: bgsub, detect (params model, min_score, ...), ocr or emulated. Throws
// std::runtime_error when the function or its model cannot be made.
std::unique_ptr<pipeline_function> make_pipeline_function(const params& p);
std::vector<param_spec> pipeline_function_params();

}  // namespace troupe
