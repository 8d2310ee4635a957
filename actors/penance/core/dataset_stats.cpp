#include "actors/penance/core/dataset_stats.hpp"

#include <cmath>
#include <limits>
#include <optional>

#include "vision/percentile.hpp"

namespace troupe::penance {

namespace {

// The setting at (scale, qp), if the space has it.
std::optional<size_t> find_setting(const config_space& space, double scale, int qp) {
  for (size_t s = 0; s < space.settings(); ++s)
    if (space.setting_at(s).scale == scale && space.setting_at(s).qp == qp)
      return s;
  return std::nullopt;
}

template <class Better>
size_t extreme_setting(const config_space& space, Better better) {
  size_t best = 0;
  for (size_t s = 1; s < space.settings(); ++s)
    if (better(space.setting_at(s), space.setting_at(best)))
      best = s;
  return best;
}

// Bytes saved per unit of accuracy lost going from `from` to `to` with model 0; a step
// that loses nothing saves for free.
double efficiency(const drive_table& t, size_t segment, size_t from, size_t to) {
  double saved = static_cast<double>(t.segments[segment].bytes[from]) - t.segments[segment].bytes[to];
  double lost = t.accuracy(segment, from, 0) - t.accuracy(segment, to, 0);
  return lost > 0 ? saved / lost : std::numeric_limits<double>::infinity();
}

}  // namespace

size_t costliest_setting(const config_space& space) {
  return extreme_setting(space, [](setting a, setting b) { return a.scale > b.scale || (a.scale == b.scale && a.qp < b.qp); });
}

size_t cheapest_setting(const config_space& space) {
  return extreme_setting(space, [](setting a, setting b) { return a.scale < b.scale || (a.scale == b.scale && a.qp > b.qp); });
}

dataset_stats summarise(const std::vector<drive_table>& tables, const config_space& space, size_t reprofile_segments) {
  dataset_stats st;
  size_t settings = space.settings(), models = static_cast<size_t>(space.models());
  size_t top = costliest_setting(space), bottom = cheapest_setting(space);
  auto base = space.setting_at(top);
  auto& qps = space.raw().qps;
  auto& scales = space.raw().scales;
  // One step down each knob from the costliest setting.
  std::optional<size_t> qp_step, scale_step;
  for (int q : qps)
    if (q > base.qp && (!qp_step || q < space.setting_at(*qp_step).qp))
      qp_step = find_setting(space, base.scale, q);
  for (double r : scales)
    if (r < base.scale && (!scale_step || r > space.setting_at(*scale_step).scale))
      scale_step = find_setting(space, r, base.qp);

  std::vector<std::vector<double>> sizes(settings);
  std::vector<double> mae, motion, top_kb, bottom_kb;
  std::vector<std::vector<double>> miou(models);
  std::vector<double> cheapest;
  double qp_wins = 0, compared = 0;
  for (auto& t : tables) {
    for (size_t i = 0; i < t.segments.size(); ++i) {
      auto& row = t.segments[i];
      for (size_t s = 0; s < settings; ++s)
        sizes[s].push_back(row.bytes[s]);
      top_kb.push_back(row.bytes[top] / 1024.0);
      bottom_kb.push_back(row.bytes[bottom] / 1024.0);
      motion.push_back(row.motion_px);
      for (size_t v = 0; v < models; ++v)
        miou[v].push_back(t.accuracy(i, top, v));
      cheapest.push_back(t.accuracy(i, bottom, models - 1));
      if (qp_step && scale_step) {
        double q = efficiency(t, i, top, *qp_step), r = efficiency(t, i, top, *scale_step);
        qp_wins += q > r ? 1 : q == r ? 0.5 : 0;
        compared += 1;
      }
      // Fig. 3: the profile of the window's first frame against every later segment in it.
      size_t start = i - i % reprofile_segments;
      if (i != start) {
        double err = 0;
        for (size_t s = 0; s < settings; ++s)
          for (size_t v = 0; v < models; ++v)
            err += std::abs(t.first_frame_accuracy(start, s, v, false) - t.accuracy(i, s, v));
        mae.push_back(err / static_cast<double>(settings * models));
      }
    }
    st.segments += t.segments.size();
  }
  for (auto& s : sizes) {
    double m = vision::mean(s), var = 0;
    for (double x : s)
      var += (x - m) * (x - m);
    st.size_cv.push_back(s.empty() || m <= 0 ? 0 : std::sqrt(var / static_cast<double>(s.size())) / m);
  }
  st.median_size_cv = vision::median(st.size_cv);
  st.costliest_median_kb = vision::median(top_kb);
  st.cheapest_p95_kb = vision::percentile(bottom_kb, 95);
  st.reprofile_mae_median = vision::median(mae);
  st.qp_beats_resolution = compared > 0 ? qp_wins / compared : 0;
  st.motion_p95_px = vision::percentile(motion, 95);
  for (auto& m : miou)
    st.model_miou.push_back(vision::mean(m));
  st.cheapest_model_miou = vision::mean(cheapest);
  return st;
}

}  // namespace troupe::penance
