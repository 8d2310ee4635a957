// REACT's fast-tracking (react.txt, §3.3): detections that come back for an old frame
// (the cloud's, late by the network and the server) are carried to the present by a
// tracker of their own, started on that frame and run over the frames buffered since,
// every `stride`-th one ("every alternate frame" in the paper), always ending on the
// newest.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::react {

struct buffered_frame {
  uint64_t index = 0;
  cv::Mat image;  // shared, never written after capture
};

// The frames a catch-up visits: the first (where the boxes were detected), then every
// `stride`-th after it, and the last. `frames` in capture order, first the detected one.
std::vector<size_t> fast_track_steps(size_t frames, int stride);

// `boxes` detected on frames.front(), tracked with a new `tracker` ("flow", "kcf",
// "csrt") to frames.back(). Boxes the tracker loses are dropped; labels and scores
// carry over.
std::vector<vision::detection> fast_track(const std::vector<buffered_frame>& frames,
                                          const std::vector<vision::detection>& boxes, int stride,
                                          const std::string& tracker);

}  // namespace troupe::react
