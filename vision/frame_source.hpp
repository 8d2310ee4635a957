// What a camera looks at: a video (file, image folder or live stream) or a synthetic scene,
// through an optional crop. Synthetic frames carry their exact ground truth, in the
// camera's (cropped) pixels.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vision/network_stream.hpp"
#include "vision/synthetic_scene.hpp"
#include "vision/video_source.hpp"

namespace troupe::vision {

struct source_frame {
  uint64_t index = 0;
  cv::Mat image;
  std::optional<std::vector<detection>> truth;  // set for synthetic scenes
  cv::Rect crop;                                // the part of the source frame shown; empty: all
  std::optional<uint32_t> objects;              // a crowd's frame: no image, the objects in view
};

struct source_settings {
  video_view view;                    // path (file, folder or stream URL), crop, start, loop
  std::optional<scene_config> scene = {};  // set: a synthetic scene instead of a video
  stream_settings stream = {};             // for rtsp://, http://, https:// paths
  cv::Point2d pan_px_s = {};               // a mobile camera: the crop moves this fast (bouncing at the edges)
  double fps = 10;                    // frame rate, to turn frame indices into time for panning
};

class frame_source {
 public:
  virtual ~frame_source() = default;
  // The next frame, or nullopt at the end.
  virtual std::optional<source_frame> next() = 0;
};

// Throws std::runtime_error naming the file when a video cannot be opened. Streams
// connect on their first frame (and next() throws when they give up).
std::unique_ptr<frame_source> open_frame_source(const source_settings& settings);

// A mobile camera's crop at `t_s`: its origin moves by `pan_px_s`, bouncing off the
// edges of a `frame`-sized source. A zero pan is a fixed camera.
cv::Rect crop_at(const cv::Rect& crop, cv::Point2d pan_px_s, double t_s, cv::Size frame);

// "0:1, 20:4, 40:0.2": from 0 s one arrival per second, from 20 s four, from 40 s 0.2.
// Throws std::runtime_error explaining what is wrong.
std::vector<density_phase> parse_density_schedule(const std::string& text);

// Ground truth as a crop of the frame sees it: boxes shifted into the crop, clipped,
// kept when at least `min_visible` of each stays in view.
std::vector<detection> crop_truth(const std::vector<detection>& truth, const cv::Rect& crop, double min_visible);

}  // namespace troupe::vision
