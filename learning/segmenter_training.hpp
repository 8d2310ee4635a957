// `troupe train-segmenters`: Penance's edge models (penance.txt §2.1.1) trained here on
// synthetic drives with exact labels: model 0 from scratch, then models 1–4 by L1
// pruning of it to each sparsity and fine-tuning. Raw frames, random scale and crop, so
// one model serves every resolution. Plain C++: callers need no libtorch headers.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/penance/core/drives.hpp"
#include "actors/penance/core/segmenter_graph.hpp"
#include "vision/street_scene.hpp"
#include "learning/penance_dataset.hpp"
#include "learning/training_progress.hpp"

namespace troupe::learning {

// Model 0's architecture (actors/penance/core/segmenter_graph.hpp).
enum class segmenter_family { pyramid, mobile };

struct segmenter_options {
  penance::drive_split drives;
  int width = 640, height = 360;         // frames of the drives
  segmenter_family family = segmenter_family::pyramid;
  std::vector<int> widths;               // model 0's five; empty: the family's defaults
  std::vector<double> sparsities = {0.5, 0.75, 0.875, 0.9375};  // models 1–4
  int frames_per_drive = 80;             // training frames sampled from each training drive
  int eval_frames_per_drive = 10;        // held-out frames from each test drive
  int steps = 8000, finetune_steps = 1500;
  int batch = 8;
  int crop_width = 320, crop_height = 176;
  double min_scale = 0.5;                // random scale in [min_scale, 1] before the crop
  double learning_rate = 2e-3, finetune_rate = 1e-3;  // Adam, cosine to 1 %
  uint64_t seed = 1;
  int threads = 0;                       // 0: every core
  double checkpoint_every_s = 60;        // <output>.checkpoint per model, so a stopped training resumes
  std::string output = "build/models/segmenter-{v}.pt";  // {v}: the model's number
};

// Model 0's graph. Inline, as check is.
inline penance::segmenter_graph model0_graph(const segmenter_options& o) {
  if (o.family == segmenter_family::mobile)
    return o.widths.empty() ? penance::mobile_segmenter(vision::street_classes)
                            : penance::mobile_segmenter(vision::street_classes, o.widths);
  return o.widths.empty() ? penance::pyramid_segmenter(vision::street_classes)
                          : penance::pyramid_segmenter(vision::street_classes, o.widths);
}

// Throws std::invalid_argument naming the first option out of range. Inline, as is
// output_for: the CLI checks both before it loads the learning plugin.
inline void check(const segmenter_options& o) {
  auto fail = [](const std::string& why) { throw std::invalid_argument("train-segmenters: " + why); };
  if (o.drives.train < 1 || o.drives.test < 1 || !(o.drives.drive_s > 0))
    fail("needs a training drive, a test drive and a positive drive length");
  if (o.width < 32 || o.height < 32 || o.width % 2 || o.height % 2)
    fail("frames need even sides of at least 32 pixels");
  if (o.crop_width > o.width || o.crop_height > o.height || o.crop_width < 16 || o.crop_height < 16)
    fail("the crop must fit the frame and be at least 16 pixels");
  if (!(o.min_scale > 0 && o.min_scale <= 1))
    fail("--min-scale must be in (0, 1]");
  if (o.steps < 1 || o.finetune_steps < 0 || o.batch < 1 || o.frames_per_drive < 1 || o.eval_frames_per_drive < 1)
    fail("steps, batch and frames must be positive");
  if (!(o.learning_rate > 0) || !(o.finetune_rate > 0))
    fail("learning rates must be positive");
  for (double s : o.sparsities)
    if (!(s > 0 && s < 1))
      fail("sparsity " + std::to_string(s) + " is outside (0, 1)");
  if (o.output.find("{v}") == std::string::npos)
    fail("the output needs {v} for the model's number, e.g. build/models/segmenter-{v}.pt");
  model0_graph(o);  // throws for bad widths
}

// The file model v is written to.
inline std::string output_for(const segmenter_options& o, int model) { return numbered(o.output, model); }

struct segmenter_result {
  int model = 0;
  double sparsity = 0, keep = 1;  // share of MACs removed, share of channels kept
  double macs = 0;                // one frame at width × height
  double held_out_miou = 0;       // raw test frames at scale 1, mean of per-frame mIoU
  std::vector<double> class_iou;  // per class over all held-out frames together
  double final_loss = 0;
  int64_t parameters = 0;
  double seconds = 0;
  std::string output;
};

std::vector<segmenter_result> train_segmenters(const segmenter_options& o, const progress_callback& progress = {});

}  // namespace troupe::learning
