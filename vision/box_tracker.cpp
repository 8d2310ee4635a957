#include "vision/box_tracker.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>

#include <opencv2/imgproc.hpp>
#include <opencv2/tracking.hpp>
#include <opencv2/video/tracking.hpp>

namespace troupe::vision {

namespace {

cv::Mat gray_of(const cv::Mat& bgr) {
  cv::Mat gray;
  cv::cvtColor(bgr, gray, cv::COLOR_BGR2GRAY);
  return gray;
}

double median(std::vector<float> v) {
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

class flow_tracker final : public box_tracker {
 public:
  explicit flow_tracker(flow_tracker_settings s) : s_(s) {}

  void reset(const cv::Mat& frame, const std::vector<detection>& boxes) override {
    previous_ = gray_of(frame);
    boxes_ = boxes;
  }

  // Corners are found inside each box only, and one LK call follows the corners of
  // every box: the pyramids are built once per frame, not once per box.
  std::vector<detection> update(const cv::Mat& frame) override {
    auto gray = gray_of(frame);
    std::vector<cv::Point2f> from;
    std::vector<size_t> first(boxes_.size() + 1, 0);  // box i owns from[first[i], first[i+1])
    for (size_t i = 0; i < boxes_.size(); ++i) {
      corners(boxes_[i].box, from);
      first[i + 1] = from.size();
    }
    std::vector<cv::Point2f> to;
    std::vector<uchar> found;
    std::vector<float> error;
    if (!from.empty())
      cv::calcOpticalFlowPyrLK(previous_, gray, from, to, found, error, {s_.window_px, s_.window_px},
                               s_.pyramid_levels);
    cv::Rect2f view(0, 0, static_cast<float>(gray.cols), static_cast<float>(gray.rows));
    std::vector<detection> kept;
    for (size_t i = 0; i < boxes_.size(); ++i) {
      auto moved = follow(boxes_[i].box, from, to, found, first[i], first[i + 1]);
      if (moved && (*moved & view).area() > 0) {
        kept.push_back(boxes_[i]);
        kept.back().box = *moved & view;
      }
    }
    previous_ = gray;
    boxes_ = kept;
    return kept;
  }

 private:
  // Appends the corners found inside `box` on the previous frame, in frame pixels.
  void corners(const cv::Rect2f& box, std::vector<cv::Point2f>& out) const {
    cv::Rect area = cv::Rect(box) & cv::Rect(0, 0, previous_.cols, previous_.rows);
    if (area.width < 3 || area.height < 3)
      return;
    std::vector<cv::Point2f> inside;
    cv::goodFeaturesToTrack(previous_(area), inside, s_.max_points_per_box, s_.quality_level, 3);
    if (static_cast<int>(inside.size()) < s_.min_points)
      return;
    for (auto& p : inside)
      out.push_back(p + cv::Point2f(static_cast<float>(area.x), static_cast<float>(area.y)));
  }

  // The box moved by the median motion of its corners that LK followed.
  std::optional<cv::Rect2f> follow(const cv::Rect2f& box, const std::vector<cv::Point2f>& from,
                                   const std::vector<cv::Point2f>& to, const std::vector<uchar>& found,
                                   size_t begin, size_t end) const {
    std::vector<float> dx, dy;
    for (size_t i = begin; i < end; ++i)
      if (found[i]) {
        dx.push_back(to[i].x - from[i].x);
        dy.push_back(to[i].y - from[i].y);
      }
    if (static_cast<int>(dx.size()) < s_.min_points)
      return std::nullopt;
    auto moved = box;
    moved.x += static_cast<float>(median(dx));
    moved.y += static_cast<float>(median(dy));
    return moved;
  }

  flow_tracker_settings s_;
  cv::Mat previous_;
  std::vector<detection> boxes_;
};

// One OpenCV tracker per box.
class opencv_tracker final : public box_tracker {
 public:
  explicit opencv_tracker(std::string kind) : kind_(std::move(kind)) {}

  void reset(const cv::Mat& frame, const std::vector<detection>& boxes) override {
    tracks_.clear();
    for (auto& d : boxes) {
      auto t = make();
      cv::Rect box = cv::Rect(d.box) & cv::Rect(0, 0, frame.cols, frame.rows);
      if (box.area() == 0)
        continue;
      t->init(frame, box);
      tracks_.push_back({t, d});
    }
  }

  std::vector<detection> update(const cv::Mat& frame) override {
    std::vector<track> kept;
    std::vector<detection> out;
    for (auto& t : tracks_) {
      cv::Rect box;
      if (!t.tracker->update(frame, box))
        continue;
      t.last.box = cv::Rect2f(box);
      kept.push_back(t);
      out.push_back(t.last);
    }
    tracks_.swap(kept);
    return out;
  }

 private:
  struct track {
    cv::Ptr<cv::Tracker> tracker;
    detection last;
  };
  cv::Ptr<cv::Tracker> make() const {
    if (kind_ == "kcf")
      return cv::TrackerKCF::create();
    return cv::TrackerCSRT::create();
  }
  std::string kind_;
  std::vector<track> tracks_;
};

}  // namespace

std::unique_ptr<box_tracker> make_tracker(const std::string& kind, const flow_tracker_settings& flow) {
  if (kind == "flow")
    return std::make_unique<flow_tracker>(flow);
  if (kind == "kcf" || kind == "csrt")
    return std::make_unique<opencv_tracker>(kind);
  throw std::runtime_error("unknown tracker '" + kind + "' (known: flow, kcf, csrt)");
}

}  // namespace troupe::vision
