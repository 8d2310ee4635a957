#include "vision/frame_source.hpp"

#include <cmath>
#include <sstream>

#include "vision/image_memory.hpp"

namespace troupe::vision {

namespace {

class video_frames final : public frame_source {
 public:
  explicit video_frames(const video_view& view) : video_(view) {}
  std::optional<source_frame> next() override {
    auto image = video_.next();
    if (!image)
      return std::nullopt;
    return source_frame{video_.frames_read() - 1, std::move(*image), std::nullopt, {}, std::nullopt};
  }

 private:
  video_source video_;
};

class stream_frames final : public frame_source {
 public:
  stream_frames(const video_view& view, const stream_settings& settings) : stream_(view.path, settings) {}
  std::optional<source_frame> next() override { return source_frame{index_++, stream_.next(), std::nullopt, {}, std::nullopt}; }

 private:
  network_stream stream_;
  uint64_t index_ = 0;
};

class synthetic_frames final : public frame_source {
 public:
  synthetic_frames(const scene_config& scene, int start_frame) : scene_(scene) {
    for (int i = 0; i < start_frame; ++i)
      scene_.next();
  }
  std::optional<source_frame> next() override {
    auto f = scene_.next();
    return source_frame{index_++, f.image, f.truth, {}, std::nullopt};
  }

 private:
  synthetic_scene scene_;
  uint64_t index_ = 0;
};

// The camera's view of whole frames: a fixed crop, or one that pans (a mobile camera).
class camera_view final : public frame_source {
 public:
  camera_view(std::unique_ptr<frame_source> frames, const source_settings& s)
      : frames_(std::move(frames)), what_(s.scene ? "the synthetic scene" : s.view.path), crop_(s.view.crop),
        pan_(s.pan_px_s), fps_(s.fps),
        min_visible_(s.scene ? s.scene->min_visible : 0.5) {}
  std::optional<source_frame> next() override {
    auto f = frames_->next();
    if (!f || crop_.area() == 0)
      return f;
    auto size = f->image.size();
    auto crop = crop_at(crop_, pan_, f->index / fps_, size) & cv::Rect({}, size);
    if (crop.area() == 0)
      throw std::runtime_error("crop lies outside the frames of " + what_);
    f->image = f->image(crop).clone();
    f->crop = crop;
    if (f->truth)
      f->truth = crop_truth(*f->truth, crop, min_visible_);
    return f;
  }

 private:
  std::unique_ptr<frame_source> frames_;
  std::string what_;  // the source, for errors
  cv::Rect crop_;
  cv::Point2d pan_;
  double fps_, min_visible_;
};

// Position on [0, room] after travelling `distance` from `start`, bouncing at both ends.
double bounce(double start, double distance, double room) {
  if (room <= 0)
    return 0;
  double p = std::fmod(start + distance, 2 * room);
  if (p < 0)
    p += 2 * room;
  return p <= room ? p : 2 * room - p;
}

}  // namespace

cv::Rect crop_at(const cv::Rect& crop, cv::Point2d pan_px_s, double t_s, cv::Size frame) {
  if (pan_px_s == cv::Point2d())
    return crop;
  int x = int(std::lround(bounce(crop.x, pan_px_s.x * t_s, frame.width - crop.width)));
  int y = int(std::lround(bounce(crop.y, pan_px_s.y * t_s, frame.height - crop.height)));
  return {x, y, crop.width, crop.height};
}

std::unique_ptr<frame_source> open_frame_source(const source_settings& settings) {
  use_pooled_image_memory();  // a camera's frames come and go at its rate, all of one size
  std::unique_ptr<frame_source> frames;
  if (settings.scene)
    frames = std::make_unique<synthetic_frames>(*settings.scene, settings.view.start_frame);
  else if (is_stream_url(settings.view.path))
    frames = std::make_unique<stream_frames>(settings.view, settings.stream);
  else
    frames = std::make_unique<video_frames>(settings.view);
  return std::make_unique<camera_view>(std::move(frames), settings);
}

std::vector<density_phase> parse_density_schedule(const std::string& text) {
  std::vector<density_phase> out;
  std::istringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    density_phase p;
    char colon = 0;
    std::istringstream pair(item);
    if (!(pair >> p.start_s >> colon >> p.arrivals_per_s) || colon != ':' || p.arrivals_per_s < 0)
      throw std::runtime_error("density '" + text + "': each phase is start_s:arrivals_per_s, e.g. 0:1, 20:4");
    if (!out.empty() && p.start_s <= out.back().start_s)
      throw std::runtime_error("density '" + text + "': phases must start later and later");
    out.push_back(p);
  }
  if (out.empty() || out.front().start_s != 0)
    throw std::runtime_error("density '" + text + "': the first phase starts at 0");
  return out;
}

std::vector<detection> crop_truth(const std::vector<detection>& truth, const cv::Rect& crop, double min_visible) {
  std::vector<detection> out;
  cv::Rect2f view(crop);
  for (auto& d : truth) {
    auto visible = d.box & view;
    if (visible.area() > 0 && visible.area() >= min_visible * d.box.area())
      out.push_back({visible - view.tl(), d.label, d.score});
  }
  return out;
}

}  // namespace troupe::vision
