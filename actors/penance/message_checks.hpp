// What Penance's actors take from the bus (§2.1.2: 1 s segments of ≤ 64 MB in chunks):
// a segment's chunks only from the camera that names itself, results only for a
// configuration that exists, times within the run, finite figures. Each returns the
// refusal, nullopt when the message is plausible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "actors/common/core/plausible.hpp"
#include "actors/runtime/bus/refusal.hpp"
#include "troupe/messages/penance.pb.h"

namespace troupe::penance {

constexpr uint64_t max_segment_bytes = 64ull << 20;
constexpr uint32_t max_segment_frames = 1000;  // 1 s at ≤ 1000 fps
constexpr uint32_t max_configs = 4096;         // a sink does not know the cameras' space; theirs is 90

// A chunk at the segmenter: its camera is its sender, its configuration one of
// `configs`, its index within its count, at most one chunk per KiB of the segment.
std::optional<refusal> check_chunk(const msg::penance::SegmentChunk& c, const std::string& sender, size_t configs);

// p back at the camera: a configuration of `configs` and a finite vector of the size the
// adapter takes; an adapter that takes none (CASVA-C) ignores p but still learns of
// its last result (the sender, its server, the camera checks itself).
std::optional<refusal> check_performance(const msg::penance::PerformanceCode& p, size_t configs, size_t p_size);

// At the sink: a segment announced by its own camera, in the run's time, with a target
// and a bandwidth the camera could have, its truth within its frames.
std::optional<refusal> check_sent(const msg::penance::SegmentSent& s, const std::string& sender,
                                  const time_window& window);

// At the sink: labels for a named camera, done within the run, with finite cost and time.
std::optional<refusal> check_labels(const msg::penance::SegmentLabels& l, const time_window& window);

}  // namespace troupe::penance
