// What every configuration of every segment of a drive gives (penance.txt §2.1.2,
// §4.1.1): the real encode's bytes per setting, each model's mIoU on the scored frames,
// and the last frame's class probabilities for the performance encoder. Built once by
// `troupe penance-dataset`, read by the trainers, the oracle baselines and the replay.
//
// A table says what its numbers depend on (its key): when the drive, the encoder or a
// model changes, the key does, and the table is built again rather than read back.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace troupe::penance {

struct table_key {
  int width = 640, height = 360;  // the drive's frames
  double fps = 15, segment_s = 1;
  std::vector<double> scales;
  std::vector<int> qps;
  std::string encoder;            // libx264's preset and B-frames
  std::vector<std::string> models;  // each model file's content hash, in order
  int classes = 8;
  std::vector<int> scored_frames;   // frames of a segment whose mIoU is kept, e.g. 0, 7, 14
  int softmax_height = 45, softmax_width = 80;
  uint64_t drive_seed = 0;
  int generator_version = 0;
  int builder_version = 0;        // how the numbers were made (penance-dataset's)

  std::string text() const;  // one canonical line
  size_t settings() const { return scales.size() * qps.size(); }
};

// One segment. Indexing: bytes[setting]; miou[(setting × models + model) × scored + k].
struct segment_row {
  std::vector<uint32_t> bytes;
  std::vector<float> miou;       // against the exact labels
  std::vector<float> miou_ref;   // against the costliest configuration's prediction (the paper's truth)
  float motion_px = 0;           // the largest frame-to-frame motion in the segment (Fig. 9)
};

struct drive_table {
  table_key key;
  std::vector<double> macs;  // per model × scale: one frame's multiply-accumulates
  std::vector<segment_row> segments;

  size_t models() const { return key.models.size(); }
  // Model 0 at the largest scale: what C(r, v) = 1 costs on one frame.
  double reference_macs() const;
  // Mean over the scored frames of configuration (setting, model) of segment i.
  double accuracy(size_t segment, size_t setting, size_t model, bool reference = false) const;
  // The first scored frame only: what profiling a segment's first frame sees.
  double first_frame_accuracy(size_t segment, size_t setting, size_t model, bool reference) const;
};

// Files: PATH (the numbers) and PATH.softmax (u8 probabilities, [segment][setting]
// [model][class][h][w]). Both written beside their names and renamed.
void write_table(const std::string& path, const drive_table& t);
// Throws std::runtime_error naming the file and what is wrong.
drive_table read_table(const std::string& path);
// The key a table at PATH was built with, or nothing when there is none or it is unreadable.
std::unique_ptr<table_key> read_table_key(const std::string& path);

// The probabilities, mapped from PATH.softmax.
class softmax_blob {
 public:
  softmax_blob(const std::string& table_path, const table_key& key, size_t segments);
  ~softmax_blob();
  softmax_blob(const softmax_blob&) = delete;
  softmax_blob& operator=(const softmax_blob&) = delete;

  // classes × h × w probabilities × 255 of configuration (setting, model) of segment i.
  const uint8_t* at(size_t segment, size_t setting, size_t model) const;
  size_t plane() const { return plane_; }  // bytes per configuration

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0, plane_ = 0, settings_ = 0, models_ = 0, segments_ = 0;
};

// Appends one segment's probabilities, configuration after configuration, as they are
// computed; finish() renames the file into place.
class softmax_writer {
 public:
  explicit softmax_writer(const std::string& table_path);
  ~softmax_writer();
  void append(const uint8_t* data, size_t bytes);
  void finish();

 private:
  std::string path_, temp_;
  std::ofstream out_;
  bool finished_ = false;
};

}  // namespace troupe::penance
