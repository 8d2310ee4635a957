#include "actors/remo/cli/fit_remo.hpp"

#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "actors/systems.hpp"
#include "actors/common/camera_source.hpp"
#include "actors/common/detector_replica.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/remo/region_pipeline.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/remo/core/region_layout.hpp"
#include "actors/remo/core/trigger.hpp"
#include "actors/remo/core/trigger_fit.hpp"
#include "vision/box_tracker.hpp"
#include "vision/metrics.hpp"

namespace troupe {

namespace {

// The camera's source and regions, and the model of the replica it trusts most (its
// server's, else its own detector's).
struct fit_input {
  camera_source input;
  std::vector<cv::Rect> regions;
  std::unique_ptr<vision::detector> model;
  std::string tracker = "flow";
  int frames_per_slot = 10;
};

const actor_spec& find_actor(const topology& t, const std::string& name) {
  for (auto& a : t.actors)
    if (a.name == name)
      return a;
  throw std::runtime_error(t.file + ": no actor '" + name + "'");
}

fit_input load_input(const fit_remo_options& o) {
  auto loaded = load_topology(o.topology, builtin_kinds());
  if (!loaded.topo) {
    for (auto& e : loaded.errors)
      log::problem(e.to_string());
    throw std::runtime_error(o.topology + ": not a valid topology");
  }
  auto& cam = find_actor(*loaded.topo, o.camera);
  if (cam.kind != "region-camera" && cam.kind != "camera")
    throw std::runtime_error(o.topology + ": '" + o.camera + "' is a " + cam.kind + ", not a camera");
  fit_input in{read_camera_source(cam.args), regions_from_list(cam.args.get_ints("regions")), nullptr};
  auto reference = cam.args.get_string("server", cam.args.get_string("detector"));
  in.model = replica_detector(find_actor(*loaded.topo, reference).args);
  in.tracker = cam.args.get_string("tracker", in.tracker);
  in.frames_per_slot = std::max(1, int(std::lround(cam.args.get_double("slot_s", 1.0) * in.input.fps)));
  spdlog::info("{}: camera {}, reference model {} ({}), {} frames per slot", o.topology, o.camera, in.model->model(),
               reference, in.frames_per_slot);
  return in;
}

std::vector<vision::detection> centred_in(const std::vector<vision::detection>& boxes, const cv::Rect& r) {
  std::vector<vision::detection> out;
  for (auto& b : boxes)
    if (r.contains(cv::Point(int(b.box.x + b.box.width / 2), int(b.box.y + b.box.height / 2))))
      out.push_back(b);
  return out;
}

// The paper's procedure: detect frame 0 of each slot, track the rest, and pair each
// region's s_r and e_r with how far tracking's F1 fell against detection there.
std::vector<remo::trigger_sample> observe(fit_input& in, int slots) {
  auto frames = vision::open_frame_source(in.input.source);
  auto tracker = vision::make_tracker(in.tracker);
  auto flow = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_ULTRAFAST);
  std::vector<remo::trigger_sample> samples;
  cv::Mat previous;
  for (int n = 0; n < slots * in.frames_per_slot; ++n) {
    auto frame = frames->next();
    if (!frame)
      break;
    cv::Mat grey;
    cv::cvtColor(frame->image, grey, cv::COLOR_BGR2GRAY);
    if (in.regions.empty())
      in.regions = {cv::Rect(cv::Point(0, 0), grey.size())};
    check_regions(in.regions, grey.size());
    auto detected = in.model->detect(frame->image);
    if (n % in.frames_per_slot == 0) {
      tracker->reset(frame->image, detected);
    } else {
      auto tracked = tracker->update(frame->image);
      auto signals = remo::region_signals(previous, grey, in.regions, *flow);
      for (size_t r = 0; r < in.regions.size(); ++r) {
        double f1 = vision::match_frame(centred_in(tracked, in.regions[r]), centred_in(detected, in.regions[r])).f1();
        samples.push_back({signals[r].flow_std, signals[r].edge_ratio, 1 - f1});
      }
    }
    previous = grey;
  }
  return samples;
}

}  // namespace

int fit_trigger(const fit_remo_options& o) {
  auto in = load_input(o);
  auto samples = observe(in, o.slots);
  auto fit = remo::fit_trigger_weights(samples, o.step, o.folds);
  auto found = fmt::format("{} samples ({} regions): w1 {:.2f}, w2 {:.2f}, MSE {:.4f}; {}-fold cross-validation MSE {:.4f}",
                           samples.size(), in.regions.size(), fit.w1, fit.w2, fit.mse, o.folds, fit.cv_mse);
  for (size_t k = 0; k < fit.fold_mse.size(); ++k)
    found += fmt::format("\n  fold {}: chosen without it w1 {:.2f}, w2 {:.2f}; its MSE {:.4f}", k + 1,
                         fit.fold_weights[k].first, fit.fold_weights[k].second, fit.fold_mse[k]);
  log::result(found);
  std::ostringstream out;
  out << "# troupe fit-trigger " << o.topology << " --camera " << o.camera << ": " << samples.size()
      << " samples, MSE " << fit.mse << ", " << o.folds << "-fold CV MSE " << fit.cv_mse << "\n"
      << "w1: " << fit.w1 << "\nw2: " << fit.w2 << "\n";
  if (auto why = write_text_file(o.output, out.str()); !why.empty()) {
    spdlog::error("{} not written: {}", o.output, why);
    return 1;
  }
  log::result(fmt::format("wrote {} (a region-camera reads it as trigger_weights: {})", o.output, o.output));
  return 0;
}

int fit_regions(const fit_remo_options& o) {
  auto in = load_input(o);
  auto frames = vision::open_frame_source(in.input.source);
  std::vector<vision::detection> boxes;
  cv::Size size;
  for (int n = 0; n < o.frames; ++n) {
    auto frame = frames->next();
    if (!frame)
      break;
    size = frame->image.size();
    auto found = in.model->detect(frame->image);
    boxes.insert(boxes.end(), found.begin(), found.end());
  }
  auto regions = remo::regions_from_detections(boxes, size, o.rows, o.cols);
  std::string list;
  for (auto& r : regions)
    list += (list.empty() ? "" : ", ") + std::to_string(r.x) + ", " + std::to_string(r.y) + ", " +
            std::to_string(r.width) + ", " + std::to_string(r.height);
  log::result(fmt::format("{} boxes in {}x{} frames -> regions: [{}]", boxes.size(), size.width, size.height, list));
  if (!o.output.empty()) {
    auto text = "# troupe fit-regions " + o.topology + " --camera " + o.camera + "\nregions: [" + list + "]\n";
    if (auto why = write_text_file(o.output, text); !why.empty()) {
      spdlog::error("{} not written: {}", o.output, why);
      return 1;
    }
    log::result("wrote " + o.output);
  }
  return 0;
}

}  // namespace troupe
