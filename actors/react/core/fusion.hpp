// REACT's edge–cloud fusion (react.txt, §3.4, Algorithm 1) and its main tracker's
// confidence decay (§3.1). The edge keeps one list of current objects; whenever new
// detections arrive from the edge or the cloud (already tracked to the present frame),
// they are fused into it.
#pragma once

#include <string>
#include <vector>

#include "vision/detection.hpp"

namespace troupe::react {

enum class source { edge, cloud };
const char* name_of(source s);

struct object {
  vision::detection det;
  source last_source = source::edge;  // who last detected it (Algorithm 1's last_det_source)
};

struct fusion_settings {
  double iou_threshold = 0.5;  // §3.4: IoU below it is no match ("≥ 0.5")
  double decay = 0.98;         // δ, applied once to a merged object's score (the paper gives no value)
};

// Algorithm 1. Objects last detected by `from` are removed; the IoU matrix between the
// remaining current objects and the new ones, zeroed below the threshold, goes to a
// maximum-weight linear sum assignment. A matched pair becomes one object: from the
// cloud, the cloud's label on the current box; from the edge, the current label on the
// edge's box; the new score, decayed once. New objects without a match are added.
// Where the pseudocode as printed would lose objects, this keeps them, as §3.4's text
// says the fusion adds what was undetected: current objects without a match stay, and
// a pair assigned at IoU 0 is two objects, not one.
std::vector<object> fuse(const std::vector<object>& current, const std::vector<vision::detection>& fresh, source from,
                         const fusion_settings& settings);

// The main tracker's per-frame step (§3.1): every score times δ, objects below
// `min_score` (0.5 in the paper) dropped.
void decay_scores(std::vector<object>& objects, double decay, double min_score);

}  // namespace troupe::react
