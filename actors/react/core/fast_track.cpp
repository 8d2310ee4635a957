#include "actors/react/core/fast_track.hpp"

#include <stdexcept>

#include "vision/box_tracker.hpp"

namespace troupe::react {

std::vector<size_t> fast_track_steps(size_t frames, int stride) {
  if (stride < 1)
    throw std::invalid_argument("fast-tracking stride must be at least 1");
  std::vector<size_t> steps;
  for (size_t i = 0; i < frames; i += size_t(stride))
    steps.push_back(i);
  if (frames > 0 && steps.back() != frames - 1)
    steps.push_back(frames - 1);
  return steps;
}

std::vector<vision::detection> fast_track(const std::vector<buffered_frame>& frames,
                                          const std::vector<vision::detection>& boxes, int stride,
                                          const std::string& tracker) {
  auto steps = fast_track_steps(frames.size(), stride);
  if (steps.size() < 2 || boxes.empty())
    return boxes;
  auto t = vision::make_tracker(tracker);
  t->reset(frames[steps[0]].image, boxes);
  std::vector<vision::detection> out;
  for (size_t s = 1; s < steps.size(); ++s)
    out = t->update(frames[steps[s]].image);
  return out;
}

}  // namespace troupe::react
