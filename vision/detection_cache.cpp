#include "vision/detection_cache.hpp"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace troupe::vision {

namespace fs = std::filesystem;

namespace {

// Record: frame (u64), count (u32), then count × {x, y, w, h (f32), label (i32), score (f32)}.
struct packed_box {
  float x, y, w, h;
  int32_t label;
  float score;
};

uint64_t fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

std::string file_identity(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    return path;
  auto size = fs::file_size(path, ec);
  auto mtime = fs::last_write_time(path, ec).time_since_epoch().count();
  return path + "|" + std::to_string(size) + "|" + std::to_string(mtime);
}

detection_cache::detection_cache(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (!fs::is_directory(dir_))
    throw std::runtime_error("cannot create the detection cache folder " + dir_);
}

std::string detection_cache::file_for(const cache_key& key) const {
  auto identity = file_identity(key.source) + "|" + std::to_string(key.crop.x) + "," +
                  std::to_string(key.crop.y) + "," + std::to_string(key.crop.width) + "," +
                  std::to_string(key.crop.height) + "|" + key.model;
  char name[32];
  std::snprintf(name, sizeof(name), "%016llx.dets", static_cast<unsigned long long>(fnv1a(identity)));
  return dir_ + "/" + name;
}

detection_cache::frames& detection_cache::load(const std::string& file) {
  auto it = files_.find(file);
  if (it != files_.end())
    return it->second;
  auto& out = files_[file];
  std::ifstream in(file, std::ios::binary);
  std::streamoff whole_records = 0;
  while (in) {
    uint64_t frame = 0;
    uint32_t count = 0;
    if (!in.read(reinterpret_cast<char*>(&frame), sizeof(frame)))
      break;
    std::vector<packed_box> boxes;
    bool whole = static_cast<bool>(in.read(reinterpret_cast<char*>(&count), sizeof(count)));
    if (whole && count < (1u << 20)) {
      boxes.resize(count);
      whole = static_cast<bool>(in.read(reinterpret_cast<char*>(boxes.data()),
                                        static_cast<std::streamsize>(count * sizeof(packed_box))));
    }
    if (!whole || count >= (1u << 20)) {
      // A run killed mid-write: cut the tail so new records append cleanly; those
      // frames are recomputed.
      ++damaged_;
      in.close();
      fs::resize_file(file, static_cast<uintmax_t>(whole_records));
      break;
    }
    whole_records = in.tellg();
    auto& dets = out[frame];
    dets.clear();
    for (auto& b : boxes)
      dets.push_back({cv::Rect2f(b.x, b.y, b.w, b.h), b.label, b.score});
  }
  return out;
}

std::optional<std::vector<detection>> detection_cache::find(const cache_key& key) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto& frames = load(file_for(key));
  auto it = frames.find(key.frame);
  if (it == frames.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  return it->second;
}

void detection_cache::store(const cache_key& key, const std::vector<detection>& found) {
  std::lock_guard<std::mutex> lock(mtx_);
  auto file = file_for(key);
  load(file)[key.frame] = found;
  std::string record(sizeof(uint64_t) + sizeof(uint32_t) + found.size() * sizeof(packed_box), '\0');
  auto count = static_cast<uint32_t>(found.size());
  std::memcpy(record.data(), &key.frame, sizeof(uint64_t));
  std::memcpy(record.data() + sizeof(uint64_t), &count, sizeof(uint32_t));
  auto* boxes = record.data() + sizeof(uint64_t) + sizeof(uint32_t);
  for (size_t i = 0; i < found.size(); ++i) {
    packed_box b{found[i].box.x, found[i].box.y, found[i].box.width, found[i].box.height,
                 found[i].label, found[i].score};
    std::memcpy(boxes + i * sizeof(packed_box), &b, sizeof(packed_box));
  }
  std::ofstream out(file, std::ios::binary | std::ios::app);
  out.write(record.data(), static_cast<std::streamsize>(record.size()));
  if (!out)
    throw std::runtime_error("cannot append to the detection cache file " + file);
}

}  // namespace troupe::vision
