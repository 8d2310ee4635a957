// A synthetic camera with exact ground truth: a floor or road, people-like objects
// (and, when asked, cars and bikes) entering at an edge, crossing in straight lines and leaving, with an arrival rate
// that follows a schedule (bursts, quiet periods, a view that fills while another
// empties). Objects do not occlude each other in the ground truth. Deterministic by
// seed on every platform: random numbers come from the raw 64-bit engine output, not
// from the standard distributions, whose algorithms differ between libraries.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

// From `start_s` on (until the next phase), objects arrive at `arrivals_per_s`.
struct density_phase {
  double start_s = 0;
  double arrivals_per_s = 1;
};

enum class scene_ground { floor, road };

struct scene_config {
  int width = 768, height = 576;
  double fps = 10;
  uint64_t seed = 1;
  scene_ground ground = scene_ground::floor;
  std::vector<density_phase> schedule = {{0, 1.0}};
  double speed_min_px_s = 30, speed_max_px_s = 90;
  int object_width_min = 20, object_width_max = 40;  // a person's; its height is 2–2.6× the width
  // Relative share of each class (vision/object_class.hpp) among arrivals. People only
  // by default, with no class drawn, so a seed gives the scene it gave before classes.
  std::vector<double> class_mix = {1};
  double sensor_noise = 3;  // std-dev of per-pixel noise, in grey levels
  double min_visible = 0.5; // a box counts as ground truth when this much is in view
};

struct synthetic_frame {
  uint64_t index = 0;
  double time_s = 0;
  cv::Mat image;                 // BGR
  std::vector<detection> truth;  // label: the object's class, score 1, clipped to the frame
};

struct noise_field;  // synthetic_scene.cpp

class synthetic_scene {
 public:
  // Raised whenever the same config draws other frames, so that detections cached for
  // a scene's frames (keyed by its config) are not read back for different pictures.
  static constexpr int generator_version = 3;

  explicit synthetic_scene(scene_config config);
  synthetic_frame next();
  const scene_config& config() const { return config_; }

 private:
  struct object {
    cv::Point2d position;  // top-left, pixels
    cv::Point2d velocity;  // pixels per second
    cv::Size2d size;
    cv::Scalar color;
    int kind = 0;  // its class
  };
  double uniform();  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  double arrival_rate(double t) const;
  void spawn_object();
  void draw_ground();
  int draw_class();
  static void draw(cv::Mat& image, const object& o);
  static void draw_person(cv::Mat& image, const object& o);
  static void draw_car(cv::Mat& image, const object& o);
  static void draw_bike(cv::Mat& image, const object& o);

  scene_config config_;
  std::mt19937_64 engine_;
  void add_sensor_noise(cv::Mat& image);

  cv::Mat ground_;
  std::shared_ptr<const noise_field> noise_;  // shared by scenes of one size and noise
  std::vector<object> objects_;
  uint64_t index_ = 0;
  double next_arrival_s_ = 0;
};

}  // namespace troupe::vision
