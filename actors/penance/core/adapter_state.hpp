// The CRL adapter's state s_i = (A_i, B_i, b_i, p_{i−1}, a_{i−1}, x_i) (penance.txt
// §3.4.2, eq. 4) as one vector of named parts: the network reads each part with its own
// FC layer (Fig. 13), so the layout is fixed here for the trainer and the camera alike.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace troupe::penance {

enum class state_part { accuracy_target, bandwidth, bitrates, performance, last_config, content };
constexpr size_t state_parts = 6;

struct state_layout {
  size_t settings = 18;     // b̂_i: one estimated size per setting
  size_t performance = 64;  // p_{i−1}: the performance embedding (CASVA-C: 1, a size)
  size_t configs = 90;      // a_{i−1}, one-hot
  size_t content = 128;     // x_i: the estimator's features

  std::array<size_t, state_parts> sizes() const { return {1, 1, settings, performance, configs, content}; }
  size_t offset(state_part p) const;
  size_t size() const;
};

struct adapter_state {
  double accuracy_target = 0;        // A_i
  double bandwidth_mbps = 0;         // B_i, MB/s
  std::vector<float> bitrates_mb;    // b̂_i, MB per segment
  std::vector<float> performance;    // p_{i−1}; zeros before any result
  std::optional<size_t> last_config; // a_{i−1}; none on the first segment
  std::vector<float> content;        // x_i
};

// The state's sizes and bandwidth are the paper's MB/s at 1280×720: a frame of other
// pixels scales them by its share of those (issue 18 §5: × 0.25 at 640×360).
inline double paper_pixel_ratio(int width, int height) { return width * static_cast<double>(height) / (1280.0 * 720.0); }
// A segment's bytes as the state counts them: MB/s over its length, at the paper's pixels.
inline double state_mbps(double bytes, double segment_s, double pixel_ratio) {
  return bytes / segment_s / 1e6 / pixel_ratio;
}

// The estimator's sizes (bytes, per setting) as the state's b̂ (negative ones as 0).
std::vector<float> state_sizes(const std::vector<double>& bytes, double segment_s, double pixel_ratio);

// Throws std::invalid_argument naming the part whose size is not the layout's.
std::vector<float> flatten(const adapter_state& s, const state_layout& layout);

}  // namespace troupe::penance
