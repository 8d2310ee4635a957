#include "actors/penance/cli/train_segmenters.hpp"

#include <spdlog/spdlog.h>

#include "actors/common/cli/training_command.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "learning/plugin_host.hpp"
#include "vision/street_scene.hpp"

namespace troupe {

int train_segmenters_command(const learning::segmenter_options& o) {
  learning::check(o);
  for (size_t v = 0; v <= o.sparsities.size(); ++v)
    require_writable(learning::output_for(o, static_cast<int>(v)));
  spdlog::info("training segmenters 0-{} on {} drives ({} frames each, {}x{}), {} + {} fine-tuning steps of {} crops",
               o.sparsities.size(), o.drives.train, o.frames_per_drive, o.width, o.height, o.steps, o.finetune_steps,
               o.batch);
  auto results = train_with_progress("train-segmenters", "loss",
                                     [&](auto progress) { return plugin_train_segmenters(o, progress); });
  double full = results.empty() ? 1 : results.front().macs;
  for (auto& r : results) {
    std::string classes;
    for (size_t c = 0; c < r.class_iou.size(); ++c)
      classes += fmt::format("{}{} {:.2f}", c ? ", " : "", vision::street_class_names()[c], r.class_iou[c]);
    log::result(fmt::format(
        "wrote {}: model {}: sparsity {:.4f} (keeps {:.3f} of channels), {:.1f} MMAC at {}x{} ({:.3f} of model 0), {} "
        "parameters; held-out mIoU {:.3f} on {} drives; loss {:.3f} ({:.0f} s); IoU {}",
        r.output, r.model, r.sparsity, r.keep, r.macs / 1e6, o.width, o.height, r.macs / full, r.parameters,
        r.held_out_miou, o.drives.test, r.final_loss, r.seconds, classes));
  }
  return 0;
}

}  // namespace troupe
