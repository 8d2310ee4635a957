#include "actors/penance/cli/train_segmenters.hpp"

#include <cstdio>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/progress_bar.hpp"
#include "learning/plugin_host.hpp"
#include "vision/street_scene.hpp"

namespace troupe {

int train_segmenters_command(const learning::segmenter_options& o) {
  learning::check(o);
  for (size_t v = 0; v <= o.sparsities.size(); ++v)
    if (auto why = check_writable(learning::output_for(o, static_cast<int>(v))); !why.empty())
      throw std::runtime_error(why);
  spdlog::info("training segmenters 0-{} on {} drives ({} frames each, {}x{}), {} + {} fine-tuning steps of {} crops",
               o.sparsities.size(), o.drives.train, o.frames_per_drive, o.width, o.height, o.steps, o.finetune_steps,
               o.batch);
  progress_bar bar("train-segmenters");
  auto results = plugin_train_segmenters(o, [&](const learning::training_progress& p) {
    char loss[32];
    std::snprintf(loss, sizeof(loss), "loss %.3f, ", p.loss);
    bar.update(p.done, p.total, loss + p.detail);
  });
  double full = results.empty() ? 1 : results.front().macs;
  for (auto& r : results) {
    char line[320];
    std::snprintf(line, sizeof(line), "model %d: sparsity %.4f (keeps %.3f of channels), %.1f MMAC at %dx%d (%.3f of "
                  "model 0), %lld parameters; held-out mIoU %.3f on %d drives; loss %.3f (%.0f s)",
                  r.model, r.sparsity, r.keep, r.macs / 1e6, o.width, o.height, r.macs / full,
                  static_cast<long long>(r.parameters), r.held_out_miou, o.drives.test, r.final_loss, r.seconds);
    std::string classes;
    for (size_t c = 0; c < r.class_iou.size(); ++c) {
      char one[40];
      std::snprintf(one, sizeof(one), "%s%s %.2f", c ? ", " : "", vision::street_class_names()[c].c_str(), r.class_iou[c]);
      classes += one;
    }
    log::result("wrote " + r.output + ": " + line + "; IoU " + classes);
  }
  return 0;
}

}  // namespace troupe
