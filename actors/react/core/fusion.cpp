#include "actors/react/core/fusion.hpp"

#include <algorithm>

#include "actors/react/core/linear_assignment.hpp"

namespace troupe::react {

const char* name_of(source s) { return s == source::cloud ? "cloud" : "edge"; }

std::vector<object> fuse(const std::vector<object>& current, const std::vector<vision::detection>& fresh, source from,
                         const fusion_settings& settings) {
  std::vector<object> kept;  // RemoveOldDetections
  for (auto& o : current)
    if (o.last_source != from)
      kept.push_back(o);
  std::vector<std::vector<double>> m(kept.size(), std::vector<double>(fresh.size(), 0.0));
  for (size_t c = 0; c < kept.size(); ++c)
    for (size_t n = 0; n < fresh.size(); ++n)
      if (double iou = vision::iou(kept[c].det.box, fresh[n].box); iou >= settings.iou_threshold)
        m[c][n] = iou;
  auto match = max_weight_assignment(m);
  std::vector<object> out;
  std::vector<bool> fresh_used(fresh.size(), false);
  for (size_t c = 0; c < kept.size(); ++c) {
    int n = match.empty() ? -1 : match[c];
    if (n < 0 || m[c][size_t(n)] == 0) {
      out.push_back(kept[c]);
      continue;
    }
    auto& now = fresh[size_t(n)];
    object o = kept[c];
    if (from == source::cloud)
      o.det.label = now.label;  // the cloud's label, the current (fresher-tracked) box
    else
      o.det.box = now.box;      // the current label, the edge's box
    o.det.score = float(now.score * settings.decay);
    o.last_source = from;
    out.push_back(o);
    fresh_used[size_t(n)] = true;
  }
  for (size_t n = 0; n < fresh.size(); ++n)
    if (!fresh_used[n])
      out.push_back({fresh[n], from});
  return out;
}

void decay_scores(std::vector<object>& objects, double decay, double min_score) {
  for (auto& o : objects)
    o.det.score = float(o.det.score * decay);
  objects.erase(std::remove_if(objects.begin(), objects.end(), [&](const object& o) { return o.det.score < min_score; }),
                objects.end());
}

}  // namespace troupe::react
