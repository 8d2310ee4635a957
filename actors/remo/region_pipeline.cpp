#include "actors/remo/region_pipeline.hpp"

#include <cmath>
#include <numeric>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "actors/remo/core/ehci_rois.hpp"
#include "vision/metrics.hpp"
#include "vision/percentile.hpp"

namespace troupe {

namespace {

bool inside(const cv::Rect& area, const vision::detection& d) {
  return area.contains(cv::Point(int(d.box.x + d.box.width / 2), int(d.box.y + d.box.height / 2)));
}

bool inside_any(const std::vector<cv::Rect>& areas, const vision::detection& d) {
  for (auto& a : areas)
    if (inside(a, d))
      return true;
  return false;
}

std::vector<vision::detection> boxes_of(const msg::Detections& d) {
  std::vector<vision::detection> out;
  for (auto& b : d.boxes())
    out.push_back({cv::Rect2f(b.x(), b.y(), b.width(), b.height()), 0, b.score()});
  return out;
}

std::string rect_text(const cv::Rect& r) {
  return "[" + std::to_string(r.x) + ", " + std::to_string(r.y) + ", " + std::to_string(r.width) + ", " +
         std::to_string(r.height) + "]";
}

}  // namespace

std::vector<cv::Rect> regions_from_list(const std::vector<int64_t>& flat) {
  if (flat.size() % 4 != 0)
    throw std::runtime_error("regions needs [x, y, width, height] per region, flattened");
  std::vector<cv::Rect> out;
  for (size_t i = 0; i < flat.size(); i += 4)
    out.emplace_back(int(flat[i]), int(flat[i + 1]), int(flat[i + 2]), int(flat[i + 3]));
  return out;
}

void check_regions(const std::vector<cv::Rect>& regions, cv::Size frame) {
  cv::Rect whole(cv::Point(0, 0), frame);
  for (auto& r : regions)
    if (r.area() == 0 || (r & whole) != r)
      throw std::runtime_error("region " + rect_text(r) + " is not inside the " + std::to_string(frame.width) + "x" +
                               std::to_string(frame.height) + " frame");
}

const choice<camera_mode>& camera_modes() {
  static const choice<camera_mode> modes("mode", {{"dbt", camera_mode::dbt},
                                                  {"whole-frame", camera_mode::whole_frame},
                                                  {"ehci", camera_mode::ehci}});
  return modes;
}

region_pipeline::region_pipeline(const std::string& camera, region_pipeline_settings settings)
    : camera_(camera), cfg_(std::move(settings)), drift_(cfg_.drift) {
  if (cfg_.frames_per_slot < 1)
    throw std::runtime_error("a slot needs at least one frame");
  tracker_ = vision::make_tracker(cfg_.tracker);
}

std::vector<std::string> region_pipeline::detectors() const {
  return cfg_.mode == camera_mode::ehci ? std::vector<std::string>{cfg_.server_detector}
                             : std::vector<std::string>{cfg_.own_detector, cfg_.server_detector};
}

// The regions are checked against the first frame: only then is its size known.
void region_pipeline::start(const vision::source_frame& frame) {
  size_ = frame.image.size();
  regions_ = cfg_.regions.empty() ? std::vector<cv::Rect>{cv::Rect(cv::Point(0, 0), size_)} : cfg_.regions;
  check_regions(regions_, size_);
  padded_ = remo::pad_regions(regions_, size_, cfg_.padding);
  last_detected_.assign(regions_.size(), 0);
  applied_.assign(regions_.size(), 0);
  if (cfg_.mode == camera_mode::ehci)
    return;  // no trigger: EHCI detects around the previous boxes every frame
  trigger_ = std::make_unique<remo::detect_trigger>(regions_.size(), cfg_.trigger);
  flow_ = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_ULTRAFAST);
}

region_pipeline::step region_pipeline::on_frame(const vision::source_frame& frame, double dt_s) {
  if (size_.area() == 0)
    start(frame);
  ++counters_.frames;
  int f = int(frame.index % uint64_t(cfg_.frames_per_slot));
  uint64_t slot = frame.index / uint64_t(cfg_.frames_per_slot);
  slot_ = slot;
  step out;
  if (f == 0 && frame.index > 0)
    out.report = report(slot - 1);
  last_image_ = frame.image;
  if (cfg_.mode == camera_mode::ehci) {
    out.jobs = ehci_jobs(f);
    return out;
  }
  cv::Mat grey;
  cv::cvtColor(frame.image, grey, cv::COLOR_BGR2GRAY);
  if (!current_.empty())
    current_ = tracker_->update(frame.image);
  out.jobs = dbt_jobs(grey, f, dt_s);
  previous_grey_ = grey;
  return out;
}

std::vector<region_job> region_pipeline::dbt_jobs(const cv::Mat& grey, int f, double dt_s) {
  std::vector<bool> fire(regions_.size(), false);
  if (!previous_grey_.empty()) {
    trigger_->adapt(delay_queue_s_);
    fire = trigger_->update(remo::region_signals(previous_grey_, grey, regions_, *flow_), dt_s);
  }
  if (f == 0) {
    ++counters_.whole_frames;
    return {{cv::Rect(cv::Point(0, 0), size_), cfg_.server_detector, 0}};
  }
  if (cfg_.mode == camera_mode::whole_frame)
    return whole_frame_job(fire, f);
  std::vector<region_job> jobs;
  for (size_t r = 0; r < regions_.size(); ++r) {
    if (!fire[r])
      continue;
    msg::remo::RegionDemand demand;
    demand.set_frame(uint32_t(f));
    demand.set_region(uint32_t(r));
    demand.set_flag_rise(trigger_->rises()[r]);
    demands_.push_back(demand);
    auto target = target_of(f, int(r));
    ++(target == cfg_.own_detector ? counters_.regions_local : counters_.regions_offloaded);
    jobs.push_back({padded_[r], target, uint32_t(r + 1)});
  }
  return jobs;
}

// Offload-Frame: the regions' triggers say the camera needs detection; the whole frame
// is detected then, where the plan puts the camera's one region.
std::vector<region_job> region_pipeline::whole_frame_job(const std::vector<bool>& fire, int f) {
  double rise = -1;
  for (size_t r = 0; r < regions_.size(); ++r)
    if (fire[r])
      rise = std::max(rise, trigger_->rises()[r]);
  if (rise < 0)
    return {};
  msg::remo::RegionDemand demand;
  demand.set_frame(uint32_t(f));
  demand.set_region(0);
  demand.set_flag_rise(rise);
  demands_.push_back(demand);
  auto target = target_of(f, 0);
  ++(target == cfg_.own_detector ? counters_.regions_local : counters_.regions_offloaded);
  return {{cv::Rect(cv::Point(0, 0), size_), target, 0}};
}

std::vector<region_job> region_pipeline::ehci_jobs(int f) {
  if (f == 0) {
    ++counters_.whole_frames;
    return {{cv::Rect(cv::Point(0, 0), size_), cfg_.server_detector, 0}};
  }
  std::vector<region_job> jobs;
  for (auto& roi : ehci::padded_rois(current_, cfg_.ehci_padding, size_))
    jobs.push_back({roi, cfg_.server_detector, 0});
  counters_.rois += jobs.size();
  return jobs;
}

// A plan older than the last slot is still the best guess the camera has.
std::string region_pipeline::target_of(int f, int region) const {
  int index = remo::planned_target(plan_, f, region, -1);
  return index < 0 ? cfg_.own_detector : plan_targets_[size_t(index)];
}

std::optional<refusal> region_pipeline::on_plan(const msg::remo::SlotPlan& plan) {
  // A plan is for the slot after the one reported, which is the camera's current slot.
  if (plan.slot() > slot_ + 1 || !std::isfinite(plan.delay_queue_s()) || plan.delay_queue_s() < 0)
    return refusal::out_of_range;
  for (auto& a : plan.assignments()) {
    if (a.detector().empty())
      return refusal::missing_field;
    if (a.frame() < 1 || a.frame() >= uint32_t(cfg_.frames_per_slot) || a.region() >= regions_.size())
      return refusal::out_of_range;  // frame 0 is the server's
  }
  if (plan.slot() < plan_slot_)
    return std::nullopt;
  plan_slot_ = plan.slot();
  plan_.clear();
  plan_targets_.clear();
  std::map<std::string, int> index;
  for (auto& a : plan.assignments()) {
    auto [it, added] = index.emplace(a.detector(), int(plan_targets_.size()));
    if (added)
      plan_targets_.push_back(a.detector());
    plan_[{int(a.frame()), int(a.region())}] = it->second;
  }
  delay_queue_s_ = plan.delay_queue_s();
  return std::nullopt;
}

std::optional<frame_output> region_pipeline::dispatched(uint64_t frame, int64_t capture_ns,
                                                        const std::vector<region_job>& sent, uint64_t bytes,
                                                        int refused) {
  counters_.unsent += uint64_t(refused);
  pending p;
  p.capture_ns = capture_ns;
  p.tracked = cfg_.mode != camera_mode::ehci ? current_ : std::vector<vision::detection>{};
  p.bytes = bytes;
  p.outstanding = int(sent.size());
  double area = 0;
  for (auto& job : sent)
    area += job.area.area();
  sent_megabytes_ += bytes / 1e6;
  sent_megapixels_ += area / 1e6;
  if (sent.empty())
    return finish(frame, std::move(p));
  pending_[frame] = std::move(p);
  return std::nullopt;
}

std::optional<frame_output> region_pipeline::on_result(const msg::Detections& d) {
  auto it = pending_.find(d.frame_index());
  if (it == pending_.end()) {
    ++counters_.results_after_output;
    return std::nullopt;
  }
  auto found = boxes_of(d);
  if (d.replica() == cfg_.own_detector)
    latency_s_.push_back(d.total_us() / 1e6);
  auto& p = it->second;
  if (cfg_.mode == camera_mode::dbt)
    observe_drift(p, d, found);
  p.answered.push_back(d.region());
  p.found.insert(p.found.end(), found.begin(), found.end());
  if (--p.outstanding > 0)
    return std::nullopt;
  auto done = std::move(p);
  pending_.erase(it);
  return finish(d.frame_index(), std::move(done));
}

uint64_t region_pipeline::held_results() const {
  uint64_t n = 0;
  for (auto& [frame, p] : pending_)
    n += p.answered.size();
  return n;
}

std::vector<frame_output> region_pipeline::expire(int64_t now_ns) {
  std::vector<frame_output> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now_ns - it->second.capture_ns < cfg_.result_timeout_ms * 1'000'000) {
      ++it;
      continue;
    }
    ++counters_.late;
    out.push_back(finish(it->first, std::move(it->second)));
    it = pending_.erase(it);
  }
  return out;
}

// φ from what tracking had against what detection found in the same area: their
// agreement after the frames tracked since the area was last detected.
void region_pipeline::observe_drift(const pending& p, const msg::Detections& d,
                                    const std::vector<vision::detection>& found) {
  auto areas = regions_of(d.region());
  auto area = area_of(d.region());
  double frames = 0;
  for (auto r : areas) {
    frames += double(d.frame_index() - std::min(last_detected_[r], d.frame_index()));
    last_detected_[r] = std::max(last_detected_[r], d.frame_index());
  }
  int tracked_frames = int(frames / areas.size() + 0.5);
  std::vector<vision::detection> tracked;
  for (auto& t : p.tracked)
    if (inside(area, t))
      tracked.push_back(t);
  if (tracked_frames > 0)
    drift_ = remo::updated_drift(drift_, vision::match_frame(tracked, found).f1(), tracked_frames, cfg_.drift_beta);
}

std::vector<size_t> region_pipeline::regions_of(uint32_t wire) const {
  if (wire > 0 && wire <= regions_.size())
    return {size_t(wire - 1)};
  std::vector<size_t> all(regions_.size());
  std::iota(all.begin(), all.end(), size_t(0));
  return all;
}

cv::Rect region_pipeline::area_of(uint32_t wire) const {
  return wire > 0 && wire <= regions_.size() ? padded_[wire - 1] : cv::Rect(cv::Point(0, 0), size_);
}

frame_output region_pipeline::finish(uint64_t frame, pending p) {
  std::vector<cv::Rect> answered;  // only areas whose results came replace tracking
  for (auto wire : p.answered)
    answered.push_back(area_of(wire));
  std::vector<vision::detection> all;
  for (auto& t : p.tracked)
    if (!inside_any(answered, t))
      all.push_back(t);
  all.insert(all.end(), p.found.begin(), p.found.end());
  frame_output out{frame, p.capture_ns, remo::area_based_suppression(all, cfg_.abn_overlap), p.bytes,
                   !p.answered.empty(), uint32_t(p.answered.size())};
  if (cfg_.mode == camera_mode::ehci) {
    current_ = out.boxes;
    return out;
  }
  // Detections replace what tracking has now in their areas, however late they came,
  // unless a newer frame's detection of the area was applied already.
  std::vector<cv::Rect> fresher;
  for (auto wire : p.answered) {
    auto covered = regions_of(wire);
    bool newest = true;
    for (auto r : covered)
      newest = newest && frame >= applied_[r];
    if (!newest)
      continue;
    for (auto r : covered)
      applied_[r] = frame;
    fresher.push_back(area_of(wire));
  }
  if (fresher.empty())
    return out;
  std::vector<vision::detection> now;
  for (auto& t : current_)
    if (!inside_any(fresher, t))
      now.push_back(t);
  for (auto& d : p.found)
    if (inside_any(fresher, d))
      now.push_back(d);
  current_ = remo::area_based_suppression(now, cfg_.abn_overlap);
  tracker_->reset(last_image_, current_);
  return out;
}

msg::remo::SlotReport region_pipeline::report(uint64_t slot) {
  msg::remo::SlotReport r;
  r.set_camera(camera_);
  r.set_slot(slot);
  r.set_detector(cfg_.own_detector);
  r.set_accuracy(cfg_.accuracy);
  r.set_fixed_s(cfg_.fixed_s);
  r.set_s_per_megapixel(cfg_.s_per_megapixel);
  r.set_frame_megapixels(size_.area() / 1e6);
  if (cfg_.mode == camera_mode::whole_frame)
    r.add_region_megapixels(size_.area() / 1e6);  // scheduled as one region: the frame
  else
    for (auto& p : padded_)
      r.add_region_megapixels(p.area() / 1e6);
  r.set_frames(uint32_t(cfg_.frames_per_slot));
  for (auto& d : demands_)
    *r.add_demands() = d;
  r.set_drift(drift_);
  r.set_latency_s(vision::mean(latency_s_));
  if (sent_megapixels_ > 0)
    r.set_megabytes_per_megapixel(sent_megabytes_ / sent_megapixels_);
  demands_.clear();
  latency_s_.clear();
  sent_megabytes_ = sent_megapixels_ = 0;
  return r;
}

}  // namespace troupe
