#include "vision/metrics.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

namespace troupe::vision {

double iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  double inter = (a & b).area();
  double uni = static_cast<double>(a.area()) + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

double match_counts::precision() const {
  auto detected = true_positives + false_positives;
  return detected == 0 ? 1.0 : static_cast<double>(true_positives) / detected;
}

double match_counts::recall() const {
  auto present = true_positives + false_negatives;
  return present == 0 ? 1.0 : static_cast<double>(true_positives) / present;
}

double match_counts::f1() const {
  double p = precision(), r = recall();
  return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
}

match_counts& match_counts::operator+=(const match_counts& o) {
  true_positives += o.true_positives;
  false_positives += o.false_positives;
  false_negatives += o.false_negatives;
  return *this;
}

namespace {

// For each detection in score order: the index of the truth box it matched, or -1.
std::vector<int> greedy_match(const std::vector<detection>& detected,
                              const std::vector<detection>& truth, double threshold,
                              std::vector<size_t>& order) {
  order.resize(detected.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return detected[a].score > detected[b].score; });
  std::vector<bool> taken(truth.size(), false);
  std::vector<int> matched(detected.size(), -1);
  for (auto d : order) {
    double best = threshold;
    int best_truth = -1;
    for (size_t t = 0; t < truth.size(); ++t) {
      if (taken[t] || truth[t].label != detected[d].label)
        continue;
      double overlap = iou(detected[d].box, truth[t].box);
      if (overlap >= best) {
        best = overlap;
        best_truth = static_cast<int>(t);
      }
    }
    if (best_truth >= 0) {
      taken[static_cast<size_t>(best_truth)] = true;
      matched[d] = best_truth;
    }
  }
  return matched;
}

// mAP and mIoU both average a per-class value; 0 when there is no class.
double mean_over_classes(const std::map<int, double>& per_class) {
  if (per_class.empty())
    return 0;
  double sum = 0;
  for (auto& [label, v] : per_class)
    sum += v;
  return sum / per_class.size();
}

}  // namespace

match_counts match_frame(const std::vector<detection>& detected,
                         const std::vector<detection>& truth, double iou_threshold) {
  std::vector<size_t> order;
  auto matched = greedy_match(detected, truth, iou_threshold, order);
  match_counts c;
  c.true_positives = static_cast<size_t>(std::count_if(matched.begin(), matched.end(),
                                                       [](int m) { return m >= 0; }));
  c.false_positives = detected.size() - c.true_positives;
  c.false_negatives = truth.size() - c.true_positives;
  return c;
}

void map_accumulator::add_frame(const std::vector<detection>& detected,
                                const std::vector<detection>& truth) {
  std::vector<size_t> order;
  auto matched = greedy_match(detected, truth, iou_threshold_, order);
  for (size_t d = 0; d < detected.size(); ++d) {
    auto label = detected[d].label;
    bool tp = matched[d] >= 0;
    if (auto g = grouped_.find(label); g != grouped_.end()) {
      auto& t = g->second[std::round(detected[d].score * 1e4f) / 1e4f];
      ++t.detections;
      t.true_positives += tp ? 1 : 0;
      continue;
    }
    auto& ranked = ranked_[label];
    ranked.push_back({detected[d].score, tp});
    if (ranked.size() <= exact_cap_)
      continue;
    auto& groups = grouped_[label];
    for (auto& r : ranked) {
      auto& t = groups[std::round(r.score * 1e4f) / 1e4f];
      ++t.detections;
      t.true_positives += r.true_positive ? 1 : 0;
    }
    ranked_.erase(label);
  }
  for (auto& t : truth)
    ++truth_count_[t.label];
}

std::vector<map_accumulator::tally> map_accumulator::steps(int label) const {
  std::vector<tally> out;
  if (auto g = grouped_.find(label); g != grouped_.end()) {
    for (auto& [score, t] : g->second)
      out.push_back(t);
    return out;
  }
  auto it = ranked_.find(label);
  std::vector<scored> ranked = it == ranked_.end() ? std::vector<scored>{} : it->second;
  std::stable_sort(ranked.begin(), ranked.end(), [](const scored& a, const scored& b) { return a.score > b.score; });
  for (auto& r : ranked)
    out.push_back({1, r.true_positive ? 1u : 0u});
  return out;
}

std::map<int, double> map_accumulator::average_precision() const {
  std::map<int, double> out;
  for (auto& [label, count] : truth_count_) {
    std::vector<double> precision, recall;
    uint64_t tp = 0, seen = 0;
    for (auto& step : steps(label)) {
      tp += step.true_positives;
      seen += step.detections;
      precision.push_back(static_cast<double>(tp) / seen);
      recall.push_back(static_cast<double>(tp) / count);
    }
    // Monotone precision envelope, then the area under the step curve.
    for (size_t i = precision.size(); i-- > 1;)
      precision[i - 1] = std::max(precision[i - 1], precision[i]);
    double ap = 0, previous_recall = 0;
    for (size_t i = 0; i < recall.size(); ++i) {
      ap += (recall[i] - previous_recall) * precision[i];
      previous_recall = recall[i];
    }
    out[label] = ap;
  }
  return out;
}

double map_accumulator::mean_average_precision() const {
  return mean_over_classes(average_precision());
}

void miou_accumulator::add(const cv::Mat& predicted, const cv::Mat& truth) {
  if (predicted.size() != truth.size())
    throw std::invalid_argument("mIoU: prediction and truth masks differ in size");
  if (predicted.type() == CV_8U && truth.type() == CV_8U) {  // counted in arrays: a map per pixel is slow
    std::array<uint64_t, 256> inter{}, uni{};
    for (int y = 0; y < predicted.rows; ++y) {
      const uint8_t* pr = predicted.ptr<uint8_t>(y);
      const uint8_t* tr = truth.ptr<uint8_t>(y);
      for (int x = 0; x < predicted.cols; ++x) {
        if (tr[x] == ignore_)
          continue;
        ++uni[pr[x]];
        if (pr[x] == tr[x])
          ++inter[pr[x]];
        else
          ++uni[tr[x]];
      }
    }
    for (int c = 0; c < 256; ++c) {
      if (uni[static_cast<size_t>(c)])
        union_[c] += uni[static_cast<size_t>(c)];
      if (inter[static_cast<size_t>(c)])
        intersection_[c] += inter[static_cast<size_t>(c)];
    }
    return;
  }
  cv::Mat p, t;
  predicted.convertTo(p, CV_32S);
  truth.convertTo(t, CV_32S);
  for (int y = 0; y < p.rows; ++y) {
    const int* pr = p.ptr<int>(y);
    const int* tr = t.ptr<int>(y);
    for (int x = 0; x < p.cols; ++x) {
      if (tr[x] == ignore_)
        continue;
      if (pr[x] == tr[x]) {
        ++intersection_[pr[x]];
        ++union_[pr[x]];
      } else {
        ++union_[pr[x]];
        ++union_[tr[x]];
      }
    }
  }
}

std::map<int, double> miou_accumulator::iou_per_class() const {
  std::map<int, double> out;
  for (auto& [label, u] : union_) {
    auto i = intersection_.find(label);
    out[label] = static_cast<double>(i == intersection_.end() ? 0 : i->second) / u;
  }
  return out;
}

double miou_accumulator::mean_iou() const {
  return mean_over_classes(iou_per_class());
}

double load_balance_index(const std::vector<double>& loads) {
  if (loads.empty())
    return 0;
  double mean = std::accumulate(loads.begin(), loads.end(), 0.0) / loads.size();
  double var = 0;
  for (auto l : loads)
    var += (l - mean) * (l - mean);
  return var / loads.size();
}

}  // namespace troupe::vision
