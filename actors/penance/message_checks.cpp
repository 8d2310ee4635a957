#include "actors/penance/message_checks.hpp"

#include <cmath>

namespace troupe::penance {

namespace {

// 0 is a time not set (a segment cut before its upload started).
bool unset_or_in(int64_t ns, const time_window& w) {
  return ns == 0 || w.holds(ns);
}

bool frames_within(const google::protobuf::RepeatedPtrField<msg::penance::FrameLabels>& frames, uint32_t limit) {
  if (static_cast<uint32_t>(frames.size()) > limit)
    return false;
  for (auto& f : frames)
    if (f.frame() >= limit)
      return false;
  return true;
}

}  // namespace

std::optional<refusal> check_chunk(const msg::penance::SegmentChunk& c, const std::string& sender, size_t configs) {
  if (c.camera() != sender)
    return refusal::forged_sender;
  if (c.sink().empty())
    return refusal::missing_field;
  bool sized = c.count() > 0 && c.index() < c.count() && c.total_bytes() <= max_segment_bytes &&
               c.count() <= c.total_bytes() / 1024 + 1 && c.data().size() <= c.total_bytes();
  if (!sized || c.config() >= configs)
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_performance(const msg::penance::PerformanceCode& p, size_t configs, size_t p_size) {
  if (p.config() >= configs || (p_size > 0 && static_cast<size_t>(p.p_size()) != p_size))
    return refusal::out_of_range;
  for (float v : p.p())
    if (!std::isfinite(v))
      return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_sent(const msg::penance::SegmentSent& s, const std::string& sender,
                                  const time_window& window) {
  if (s.camera() != sender)
    return refusal::forged_sender;
  uint32_t frames = s.frames() > 0 ? s.frames() : max_segment_frames;
  bool in_run = window.holds(s.ready_ns()) && unset_or_in(s.decided_ns(), window) &&
                unset_or_in(s.upload_start_ns(), window) && (s.upload_start_ns() == 0 || s.upload_start_ns() >= s.ready_ns());
  if (!in_run || s.config() >= max_configs || !finite_in(s.accuracy_target(), 0, 1) ||
      !finite_in(s.bandwidth_mbps(), 0, 1e6) || s.bytes() > max_segment_bytes || s.frames() > max_segment_frames ||
      !frames_within(s.truth(), frames))
    return refusal::out_of_range;
  return std::nullopt;
}

std::optional<refusal> check_labels(const msg::penance::SegmentLabels& l, const time_window& window) {
  if (l.camera().empty())
    return refusal::missing_field;
  if (!window.holds(l.done_ns()) || l.config() >= max_configs || !finite_in(l.compute_ms(), 0, 3.6e6) ||
      !finite_in(l.cost(), 0, 1e3) || !finite_in(l.reference_macs(), 0, 1e15) ||
      !frames_within(l.labels(), max_segment_frames))
    return refusal::out_of_range;
  return std::nullopt;
}

}  // namespace troupe::penance
