// Penance's configurations (penance.txt §2.1.2, §3.4.1): an encoder setting, a frame
// scale r and a QP q, with the server's edge model v. The CRL adapter's action is an
// index into this space, so the index order is fixed here and nowhere else.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

namespace troupe::penance {

struct space_settings {
  std::vector<double> scales = {1.0, 0.75, 0.5};
  std::vector<int> qps = {20, 22, 24, 26, 28, 30};  // ⚑ "QP 20 to 30" with 18 settings: step 2
  int models = 5;                                   // model 0 and its four pruned versions
};

struct setting {
  double scale;
  int qp;
};

struct configuration {
  size_t setting;  // index of the encoder setting
  int model;       // edge model v
};

// setting = scale index × |QPs| + QP index; configuration = setting × models + model.
class config_space {
 public:
  // Throws std::invalid_argument naming the value: a QP outside 0–51, a scale outside
  // (0, 1], a repeated scale or QP, no model.
  explicit config_space(space_settings s = {});

  size_t settings() const { return s_.scales.size() * s_.qps.size(); }
  size_t configs() const { return settings() * static_cast<size_t>(s_.models); }
  int models() const { return s_.models; }
  size_t scales() const { return s_.scales.size(); }

  setting setting_at(size_t index) const;
  size_t scale_index(size_t setting_index) const { return setting_index / s_.qps.size(); }
  configuration config_at(size_t index) const;
  size_t index(configuration c) const;
  const space_settings& raw() const { return s_; }

 private:
  space_settings s_;
};

// Width and height at `scale`, rounded to the nearest pixel; throws naming both when a
// side is odd, as H.264's 4:2:0 sampling needs even sides.
std::pair<int, int> scaled_size(int width, int height, double scale);

// Frames in a segment of `segment_s` seconds; throws when fps × T is not whole.
int frames_per_segment(double fps, double segment_s);

// An index ≥ n (no previous action yet) gives all zeros.
std::vector<float> one_hot(size_t index, size_t n);

}  // namespace troupe::penance
