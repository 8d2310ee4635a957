// Detections kept on disk, keyed by source, frame, crop and model, so repeated
// experiments on the same video skip recomputation: a cold and a warm run give
// identical results. One append-only file per (source, crop, model); the source's
// size and modification time are part of the key, so an edited video is a new source.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "vision/detection.hpp"

namespace troupe::vision {

// A path with its size and modification time, so that an edited (or retrained) file is
// a new identity; anything that is not a regular file stays as it is.
std::string file_identity(const std::string& path);

struct cache_key {
  std::string source;  // a path (its size and mtime are added) or any stable name
  cv::Rect crop;       // empty: the whole frame
  std::string model;   // model (file_identity of its file) plus whatever settings change its output
  uint64_t frame = 0;
};

class detection_cache {
 public:
  explicit detection_cache(std::string dir);  // created if missing
  std::optional<std::vector<detection>> find(const cache_key& key);
  void store(const cache_key& key, const std::vector<detection>& found);

  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }
  uint64_t damaged_records() const { return damaged_; }  // truncated tails, skipped

 private:
  using frames = std::map<uint64_t, std::vector<detection>>;
  std::string file_for(const cache_key& key) const;
  frames& load(const std::string& file);

  std::string dir_;
  std::mutex mtx_;
  std::map<std::string, frames> files_;
  std::atomic<uint64_t> hits_{0}, misses_{0}, damaged_{0};  // read by other threads
};

}  // namespace troupe::vision
