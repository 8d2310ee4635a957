// A synthetic drive seen from a dashcam, with exact per-pixel labels, for video
// semantic segmentation (Penance): a road in perspective with lanes and curves,
// sidewalks, building facades with windows, trees and fields, poles, cars and people,
// the sky. The drive passes through scene types (urban, highway, rural, night, fog),
// each for U(stretch_min_s, stretch_max_s), with its own layout, traffic, speed, light
// and sensor noise, so segment sizes and model accuracy change with the content.
//
// Every surface is a function of world coordinates, so what the camera sees moves as a
// real scene would under the ego's motion, and the label of a pixel is that of the
// nearest surface its ray meets. Deterministic by seed on every platform: random
// numbers come from the raw 64-bit engine output.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace troupe::vision {

// Cityscapes' names for the classes a drive has; the ego car's hood is `street_ignore`.
enum street_class : uint8_t { road, sidewalk, building, vegetation, sky, car_body, person_body, pole, street_classes };
constexpr uint8_t street_ignore = 255;
const std::vector<std::string>& street_class_names();

enum class street_type { urban, highway, rural, night, fog };
const char* street_type_name(street_type t);

struct street_config {
  int width = 640, height = 360;
  double fps = 15;
  double duration_s = 40;
  uint64_t seed = 1;
  double stretch_min_s = 5, stretch_max_s = 20;  // how long a scene type lasts
  double texture_gain = 1;                       // contrast of every surface's texture
  double sensor_noise = 2.0;                     // grey levels by day; ×3 at night
};

struct street_frame {
  uint64_t index = 0;
  double time_s = 0;
  street_type type = street_type::urban;
  cv::Mat image;   // BGR
  cv::Mat labels;  // CV_8U, street_class per pixel, street_ignore on the hood
};

class street_scene {
 public:
  // Raised whenever the same config draws other frames, so that tables built from a
  // drive's frames (keyed by its config) are not read back for different pictures.
  static constexpr int generator_version = 1;

  // Throws std::invalid_argument for a size, rate, duration or stretch out of range.
  explicit street_scene(street_config config);
  ~street_scene();
  street_scene(street_scene&&) noexcept;

  size_t frames() const;
  bool done() const;
  street_frame next();  // throws std::logic_error after the last frame
  const street_config& config() const { return config_; }

 private:
  struct world;
  street_config config_;
  std::unique_ptr<world> world_;
  uint64_t index_ = 0;
};

}  // namespace troupe::vision
