// `troupe penance-dataset`: Penance's table (actors/penance/core/segment_table.hpp)
// for every training and test drive (penance.txt §2.1.2, §4.1.1): each 1 s segment
// encoded by libx264 at every setting, decoded, and segmented by every edge model; the
// scored frames' mIoU against the exact labels and against the costliest
// configuration's prediction, and the last frame's probabilities. A drive's table is
// kept while its key (drive, encoder, models) holds. Plain C++: no libtorch headers.
#pragma once

#include <string>
#include <vector>

#include "actors/penance/core/config_space.hpp"
#include "actors/penance/core/drives.hpp"
#include "learning/training_progress.hpp"
#include "vision/street_scene.hpp"

namespace troupe::learning {

struct penance_dataset_options {
  penance::drive_split drives;
  int width = 640, height = 360;
  double fps = 15, segment_s = 1;  // T
  penance::space_settings space;
  std::string preset = "superfast";
  int bframes = 3;
  std::vector<int> scored_frames = {0, 7, 14};
  int softmax_height = 45, softmax_width = 80;  // ⚑ the paper's encoder reads 180×320 at 720p
  std::string models = "build/models/segmenter-{v}.pt";
  std::string folder = "build/penance/tables";  // drive-SEED.table (+ .softmax)
  int workers = 0;                                // drives built side by side; 0: every core
};

// `pattern` with {v} replaced by v (a model's number).
inline std::string numbered(std::string pattern, int v) {
  auto at = pattern.find("{v}");
  return at == std::string::npos ? pattern : pattern.replace(at, 3, std::to_string(v));
}

// The drives of a dataset's options, seed left to the caller.
inline vision::street_config drive_config(const penance_dataset_options& o) {
  vision::street_config c;
  c.width = o.width;
  c.height = o.height;
  c.fps = o.fps;
  c.duration_s = o.drives.drive_s;
  return c;
}

// The table of the drive with `seed`. Inline: readers need no learning plugin.
inline std::string table_path(const penance_dataset_options& o, uint64_t seed) {
  return o.folder + "/drive-" + std::to_string(seed) + ".table";
}
inline std::vector<std::string> table_paths(const penance_dataset_options& o, const std::vector<uint64_t>& seeds) {
  std::vector<std::string> paths;
  for (auto seed : seeds)
    paths.push_back(table_path(o, seed));
  return paths;
}

struct penance_dataset_result {
  std::vector<std::string> built, kept;  // tables written now, tables whose key still held
  double seconds = 0;
};

// Throws std::invalid_argument for bad options or models that do not match the space.
penance_dataset_result build_penance_dataset(const penance_dataset_options& o, const progress_callback& progress = {});

}  // namespace troupe::learning
