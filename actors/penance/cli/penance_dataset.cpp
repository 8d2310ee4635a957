#include "actors/penance/cli/penance_dataset.hpp"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "actors/penance/core/dataset_stats.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "learning/plugin_host.hpp"

namespace troupe {

namespace {

std::vector<penance::drive_table> tables_of(const learning::penance_dataset_options& o, const std::vector<uint64_t>& seeds) {
  std::vector<penance::drive_table> t;
  for (auto seed : seeds)
    t.push_back(penance::read_table(learning::table_path(o, seed)));
  return t;
}

std::string check(bool met) { return met ? "met" : "MISSED"; }

void print_summary(const learning::penance_dataset_options& o) {
  penance::config_space space(o.space);
  auto all = tables_of(o, o.drives.train_seeds());
  auto test = tables_of(o, o.drives.test_seeds());
  all.insert(all.end(), test.begin(), test.end());
  auto a = penance::summarise(all, space);
  auto h = penance::summarise(test, space);
  char line[256];
  auto say = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof(line), fmt, args...);
    log::result(line);
  };
  say("dataset: %zu drives, %zu segments (%zu held out)", all.size(), a.segments, h.segments);
  say("Fig. 2  size spread per setting, median CV %.2f (target >= 0.30): %s", a.median_size_cv,
      check(a.median_size_cv >= 0.3).c_str());
  say("sizes   costliest setting median %.0f KB (target >= 200), cheapest P95 %.1f KB (target <= 75): %s",
      a.costliest_median_kb, a.cheapest_p95_kb, check(a.costliest_median_kb >= 200 && a.cheapest_p95_kb <= 75).c_str());
  say("Fig. 3  20 s re-profile MAE median %.3f (paper > 0.05 in half the cases; target >= 0.04): %s",
      a.reprofile_mae_median, check(a.reprofile_mae_median >= 0.04).c_str());
  say("Fig. 4  QP beats resolution on bitrate efficiency in %.0f %% of segments (target > 50 %%): %s",
      100 * a.qp_beats_resolution, check(a.qp_beats_resolution > 0.5).c_str());
  say("Fig. 9  largest frame-to-frame motion P95 %.1f px at %dx%d (paper: < 100 px at 1280x720 in 95 %%)", a.motion_p95_px,
      o.width, o.height);
  std::string models;
  bool ordered = true, gaps = true;
  for (size_t v = 0; v < h.model_miou.size(); ++v) {
    char m[48];
    std::snprintf(m, sizeof(m), "%s%zu: %.3f", v ? ", " : "", v, h.model_miou[v]);
    models += m;
    if (v > 0) {
      double gap = h.model_miou[v - 1] - h.model_miou[v];
      ordered = ordered && gap > 0;
      gaps = gaps && gap >= 0.02 && gap <= 0.08;
    }
  }
  say("models  held-out mIoU at the costliest setting: %s", models.c_str());
  say("models  model 0 >= 0.80: %s; ordered: %s; adjacent gaps 0.02-0.08 (paper 0.042): %s",
      check(!h.model_miou.empty() && h.model_miou[0] >= 0.8).c_str(), check(ordered).c_str(), check(gaps).c_str());
  say("models  last model at the cheapest setting %.3f (target <= 0.55): %s", h.cheapest_model_miou,
      check(h.cheapest_model_miou <= 0.55).c_str());
}

}  // namespace

int penance_dataset_command(const learning::penance_dataset_options& o) {
  spdlog::info("penance-dataset: {} training and {} test drives of {} s at {}x{}, {} settings x {} models, into {}",
               o.drives.train, o.drives.test, o.drives.drive_s, o.width, o.height,
               o.space.scales.size() * o.space.qps.size(), o.space.models, o.folder);
  progress_bar bar("penance-dataset");
  auto r = plugin_build_penance_dataset(o, [&](const learning::training_progress& p) {
    bar.update(p.done, p.total, "segments of " + p.detail);
  });
  for (auto& t : r.built)
    log::result("wrote " + t + " and " + t + ".softmax");
  if (!r.kept.empty())
    log::result(std::to_string(r.kept.size()) + " tables kept: their drive, encoder and models are unchanged");
  print_summary(o);
  return 0;
}

}  // namespace troupe
