#include "vision/frame_source.hpp"

#include <sstream>

namespace troupe::vision {

namespace {

class video_frames final : public frame_source {
 public:
  explicit video_frames(const video_view& view) : video_(view) {}
  std::optional<source_frame> next() override {
    auto image = video_.next();
    if (!image)
      return std::nullopt;
    return source_frame{video_.frames_read() - 1, std::move(*image), std::nullopt};
  }

 private:
  video_source video_;
};

class stream_frames final : public frame_source {
 public:
  stream_frames(const video_view& view, const stream_settings& settings)
      : stream_(view.path, settings), crop_(view.crop) {}
  std::optional<source_frame> next() override {
    auto frame = stream_.next();
    return source_frame{index_++, crop_.area() > 0 ? frame(crop_ & cv::Rect(0, 0, frame.cols, frame.rows)).clone() : frame,
                        std::nullopt};
  }

 private:
  network_stream stream_;
  cv::Rect crop_;
  uint64_t index_ = 0;
};

class synthetic_frames final : public frame_source {
 public:
  synthetic_frames(const scene_config& scene, const video_view& view) : scene_(scene), view_(view) {
    view_.crop &= cv::Rect(0, 0, scene.width, scene.height);
    if (view.crop.area() > 0 && view_.crop.area() == 0)
      throw std::runtime_error("crop lies outside the synthetic scene");
    for (int i = 0; i < view.start_frame; ++i)
      scene_.next();
  }
  std::optional<source_frame> next() override {
    auto f = scene_.next();
    source_frame out{index_++, f.image, f.truth};
    if (view_.crop.area() > 0) {
      out.image = f.image(view_.crop).clone();
      out.truth = crop_truth(f.truth, view_.crop, scene_.config().min_visible);
    }
    return out;
  }

 private:
  synthetic_scene scene_;
  video_view view_;
  uint64_t index_ = 0;
};

}  // namespace

std::unique_ptr<frame_source> open_frame_source(const source_settings& settings) {
  if (settings.scene)
    return std::make_unique<synthetic_frames>(*settings.scene, settings.view);
  if (is_stream_url(settings.view.path))
    return std::make_unique<stream_frames>(settings.view, settings.stream);
  return std::make_unique<video_frames>(settings.view);
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
