// Accuracy and system metrics shared by every policy: matching at an IoU threshold
// (precision, recall, F1), VOC-style mAP, mIoU of segmentation masks, and the
// load-balance index. Ground truth comes from the synthetic generator or an oracle.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

struct match_counts {
  size_t true_positives = 0, false_positives = 0, false_negatives = 0;

  double precision() const;  // 1 when nothing was detected
  double recall() const;     // 1 when there was nothing to find
  double f1() const;
  match_counts& operator+=(const match_counts& other);
};

// One frame: detections, highest score first, each take the unmatched ground-truth
// box of the same label with the largest IoU if it reaches the threshold.
match_counts match_frame(const std::vector<detection>& detected,
                         const std::vector<detection>& truth, double iou_threshold = 0.5);

// VOC-style mean average precision: detections of all frames ranked by score per
// class, each matched greedily to the frame's ground truth; AP is the area under the
// precision-recall curve made monotone (all-point interpolation, VOC 2010 onwards).
class map_accumulator {
 public:
  // Each class's detections are kept one by one up to `exact_cap`, then as counts per
  // score rounded to 1e-4 (a tie group per score), so memory stays bounded in long runs.
  explicit map_accumulator(double iou_threshold = 0.5, size_t exact_cap = 65536)
      : iou_threshold_(iou_threshold), exact_cap_(exact_cap) {}
  void add_frame(const std::vector<detection>& detected, const std::vector<detection>& truth);
  std::map<int, double> average_precision() const;  // per class with ground truth
  double mean_average_precision() const;            // 0 when no class has ground truth

 private:
  struct scored {
    float score;
    bool true_positive;
  };
  struct tally {
    uint64_t detections = 0, true_positives = 0;
  };
  // A class's precision/recall points, best scores first: one per detection, or per
  // tie group once grouped.
  std::vector<tally> steps(int label) const;

  double iou_threshold_;
  size_t exact_cap_;
  std::map<int, std::vector<scored>> ranked_;
  std::map<int, std::map<float, tally, std::greater<float>>> grouped_;
  std::map<int, size_t> truth_count_;
};

// Mean IoU of label masks (CV_8U or CV_32S, one class id per pixel), accumulated over
// frames: per class intersection / union of all pixels, averaged over the classes
// that occur in prediction or truth. `ignore` labels (e.g. 255, unlabelled) are skipped.
class miou_accumulator {
 public:
  explicit miou_accumulator(int ignore = -1) : ignore_(ignore) {}
  void add(const cv::Mat& predicted, const cv::Mat& truth);
  std::map<int, double> iou_per_class() const;
  double mean_iou() const;

 private:
  int ignore_;
  std::map<int, uint64_t> intersection_, union_;
};

// Variance of per-device load (the papers' load-balance index K): 0 when balanced.
double load_balance_index(const std::vector<double>& loads);

}  // namespace troupe::vision
