#include "actors/penance/cli/penance_perf.hpp"

#include <algorithm>
#include <chrono>
#include <functional>

#include <spdlog/fmt/fmt.h>

#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/segment_models.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "learning/penance_dataset.hpp"
#include "vision/h264_codec.hpp"
#include "vision/percentile.hpp"
#include "vision/segment_frames.hpp"
#include "vision/street_scene.hpp"

namespace troupe {

namespace {

using segment = std::vector<cv::Mat>;

std::vector<segment> drive_segments(const penance_perf_options& o, int frames_per_segment) {
  vision::street_config c;
  c.width = o.width;
  c.height = o.width * 9 / 16;
  c.seed = o.seed;
  c.duration_s = o.segments + 1;
  vision::street_scene scene(c);
  std::vector<segment> out(static_cast<size_t>(o.segments));
  for (auto& s : out)
    for (int f = 0; f < frames_per_segment; ++f)
      s.push_back(scene.next().image);
  return out;
}

// Milliseconds of `work` on each segment, after one untimed run (TorchScript optimises
// a graph on its first calls).
std::vector<double> timed(const std::vector<segment>& segments, const std::function<void(const segment&)>& work) {
  work(segments.front());
  std::vector<double> ms;
  for (auto& s : segments) {
    auto t = std::chrono::steady_clock::now();
    work(s);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
  }
  return ms;
}

struct part {
  std::string what;
  std::vector<double> ms;
  double goal_ms;  // 0: shown, no goal
  std::string paper;
};

std::string report(const std::vector<part>& parts) {
  text_table t({"part (one core)", "median ms", "min-max", "goal ms", "paper", "verdict"});
  for (auto& p : parts) {
    double median = vision::percentile(p.ms, 50);
    auto [lo, hi] = std::minmax_element(p.ms.begin(), p.ms.end());
    t.add({p.what, fixed(median, 2), fixed(*lo, 2) + "-" + fixed(*hi, 2), p.goal_ms > 0 ? fixed(p.goal_ms, 0) : "-",
           p.paper, p.goal_ms <= 0 ? "-" : median <= p.goal_ms ? "met" : "MISSED"});
  }
  return t.str();
}

}  // namespace

int penance_perf_command(const penance_perf_options& o) {
  penance::config_space space;
  int frames = 15;  // T = 1 s at 15 fps (§3.4.1)
  auto segments = drive_segments(o, frames);
  int w = o.width, h = o.width * 9 / 16;
  std::vector<part> parts;
  for (auto [scale, goal] : {std::pair{1.0, 300.0}, {0.75, 200.0}, {0.5, 100.0}}) {
    auto [sw, sh] = penance::scaled_size(w, h, scale);
    vision::h264_settings enc;  // QP 20, superfast, one thread: the camera's
    parts.push_back({fmt::format("scale + encode 1 s at {}x{} (scale {}), QP 20", sw, sh, scale), timed(segments, [&](auto& s) {
                       vision::encode_h264(vision::scaled_frames(s, cv::Size(sw, sh)), enc);
                     }), goal, ""});
  }
  auto estimator = penance::load_estimator(o.estimator);
  auto adapter = penance::load_adapter(o.adapter);
  auto layout = adapter->layout();
  double ratio = penance::paper_pixel_ratio(w, h);
  parts.push_back({"estimator + adapter per segment", timed(segments, [&](auto& s) {
                     std::vector<cv::Mat> luma;
                     for (auto& f : s)
                       luma.push_back(vision::luma_at(f, cv::Size(w / 2, h / 2)));
                     auto e = estimator->run(luma, penance::costliest_setting(space));
                     penance::adapter_state st;
                     st.accuracy_target = 0.65;
                     st.bandwidth_mbps = 0.6;
                     st.bitrates_mb = penance::state_sizes(e.bytes, 1.0, ratio);
                     st.performance.assign(layout.performance, 0.0f);
                     st.content = e.content;
                     adapter->choose(penance::flatten(st, layout));
                   }), 60, "223 (Pi 4B)"});
  auto performance = penance::load_performance_encoder(o.adapter);
  std::vector<std::shared_ptr<const penance::edge_model>> models;
  for (int v = 0; v < space.models(); ++v)
    models.push_back(penance::load_edge_model(learning::numbered(o.models, v)));
  std::vector<uint8_t> probabilities = models.front()->run({segments.front().back()}, performance->grid()).probabilities;
  parts.push_back({"performance encoder per result", timed(segments, [&](auto&) { performance->run(probabilities); }), 5,
                   ""});
  for (int v : {0, space.models() - 1})
    parts.push_back({fmt::format("model {} per frame at {}x{}", v, w, h), timed(segments, [&](auto& s) {
                       models[static_cast<size_t>(v)]->run({s.front()}, performance->grid());
                     }), v == 0 ? 40 : 0, ""});
  log::result(fmt::format("penance-perf: {} segments of drive {} at {}x{}, models {}, adapter {}, estimator {}\n{}",
                          o.segments, o.seed, w, h, o.models, o.adapter, o.estimator, report(parts)));
  return 0;
}

}  // namespace troupe
