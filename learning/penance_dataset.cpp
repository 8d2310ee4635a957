#include "learning/penance_dataset.hpp"

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/script.h>

#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/segment_table.hpp"
#include "actors/penance/core/segmenter_graph.hpp"
#include "learning/penance_inputs.hpp"
#include "learning/segmenter_network.hpp"
#include "vision/h264_codec.hpp"
#include "vision/motion_gauge.hpp"
#include "vision/segment_frames.hpp"
#include "vision/street_scene.hpp"

namespace troupe::learning {

namespace {

// Raised whenever the same key would give other numbers (2: probabilities averaged
// into their grid, predictions scored at their own scale).
constexpr int builder_version = 2;

std::string model_path(const penance_dataset_options& o, int v) {
  if (o.models.find("{v}") == std::string::npos)
    throw std::invalid_argument("penance-dataset: the models need {v}, e.g. build/models/segmenter-{v}.pt");
  return numbered(o.models, v);
}

// FNV-1a of the file's bytes: the table's key names the very weights it was built with.
std::string content_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::invalid_argument("penance-dataset: cannot read " + path + " (scripts/train-penance.sh trains it)");
  uint64_t h = 1469598103934665603ull;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i)
      h = (h ^ static_cast<uint8_t>(buffer[i])) * 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(h));
  return text;
}

struct drive_job {
  uint64_t seed;
  std::string path;
  penance::table_key key;
};

class drive_builder {
 public:
  drive_builder(const penance_dataset_options& o, const penance::config_space& space,
                std::vector<torch::jit::Module>& models)
      : o_(o), space_(space), models_(models), reference_(penance::costliest_setting(space)) {}

  void build(const drive_job& job, const std::function<void()>& segment_done) {
    penance::drive_table table;
    table.key = job.key;
    for (auto& m : models_)
      for (double r : o_.space.scales) {
        auto [w, h] = penance::scaled_size(o_.width, o_.height, r);
        table.macs.push_back(penance::segmenter_macs(graph_of(m), h, w));
      }
    auto c = drive_config(o_);
    c.seed = job.seed;
    vision::street_scene drive(c);
    vision::motion_gauge gauge;
    penance::softmax_writer softmax(job.path);
    int frames = penance::frames_per_segment(o_.fps, o_.segment_s);
    while (!drive.done()) {
      std::vector<cv::Mat> images;
      std::vector<cv::Mat> truth;
      float motion = 0;
      for (int f = 0; f < frames && !drive.done(); ++f) {
        auto frame = drive.next();
        motion = std::max(motion, static_cast<float>(gauge.measure(frame.image)));
        images.push_back(frame.image);
        truth.push_back(frame.labels);
      }
      if (static_cast<int>(images.size()) < frames)
        break;  // a drive's tail shorter than a segment is not a segment
      table.segments.push_back(segment(images, truth, motion, softmax));
      segment_done();
    }
    softmax.finish();
    penance::write_table(job.path, table);
  }

 private:
  penance::segment_row segment(const std::vector<cv::Mat>& images, const std::vector<cv::Mat>& truth, float motion,
                               penance::softmax_writer& softmax) {
    size_t settings = space_.settings(), models = models_.size(), scored = o_.scored_frames.size();
    penance::segment_row row;
    row.motion_px = motion;
    row.bytes.assign(settings, 0);
    row.miou.assign(settings * models * scored, 0);
    row.miou_ref.assign(settings * models * scored, 0);
    size_t plane = static_cast<size_t>(vision::street_classes) * o_.softmax_height * o_.softmax_width;
    std::vector<uint8_t> planes(settings * models * plane);
    std::vector<cv::Mat> reference;  // model 0's labels at the costliest setting, per scored frame

    std::vector<size_t> order = {reference_};
    for (size_t s = 0; s < settings; ++s)
      if (s != reference_)
        order.push_back(s);
    for (size_t s : order) {
      auto setting = space_.setting_at(s);
      auto [w, h] = penance::scaled_size(o_.width, o_.height, setting.scale);
      auto scaled = vision::scaled_frames(images, cv::Size(w, h));
      vision::h264_settings enc;
      enc.qp = setting.qp;
      enc.fps = static_cast<int>(o_.fps);
      enc.bframes = o_.bframes;
      enc.preset = o_.preset;
      auto encoded = vision::encode_h264(scaled, enc);
      row.bytes[s] = static_cast<uint32_t>(encoded.bytes.size());
      auto decoded = vision::decode_h264(encoded.bytes);
      if (decoded.size() != images.size())
        throw std::runtime_error("penance-dataset: a segment decoded to " + std::to_string(decoded.size()) + " of " +
                                 std::to_string(images.size()) + " frames");
      std::vector<cv::Mat> inputs;
      for (int f : o_.scored_frames)
        inputs.push_back(decoded[static_cast<size_t>(f)]);
      for (size_t v = 0; v < models; ++v) {
        auto out = run_edge_model(models_[v], inputs, cv::Size(o_.softmax_width, o_.softmax_height));
        for (size_t k = 0; k < scored; ++k) {
          auto labels = vision::labels_at(labels_of_plane(out.labels[static_cast<int64_t>(k)]),  // from the segment's scale
                                          cv::Size(o_.width, o_.height));
          auto& t = truth[static_cast<size_t>(o_.scored_frames[k])];
          if (s == reference_ && v == 0)
            reference.push_back(labels);
          size_t at = (s * models + v) * scored + k;
          row.miou[at] = static_cast<float>(vision::street_miou(labels, t));
          row.miou_ref[at] = static_cast<float>(vision::street_miou(labels, reference[k]));
        }
        std::memcpy(planes.data() + (s * models + v) * plane, out.last_probabilities.data_ptr<uint8_t>(), plane);
      }
    }
    softmax.append(planes.data(), planes.size());
    return row;
  }

  const penance_dataset_options& o_;
  const penance::config_space& space_;
  std::vector<torch::jit::Module>& models_;
  size_t reference_;
};

}  // namespace

penance_dataset_result build_penance_dataset(const penance_dataset_options& o, const progress_callback& progress) {
  auto t0 = std::chrono::steady_clock::now();
  penance::config_space space(o.space);
  int frames = penance::frames_per_segment(o.fps, o.segment_s);
  for (int f : o.scored_frames)
    if (f < 0 || f >= frames)
      throw std::invalid_argument("penance-dataset: scored frame " + std::to_string(f) + " is outside a segment of " +
                                  std::to_string(frames));
  if (o.scored_frames.empty() || o.scored_frames.back() != frames - 1)
    throw std::invalid_argument("penance-dataset: the last scored frame must be the segment's last, whose "
                                "probabilities the performance encoder reads");
  for (double r : o.space.scales)
    penance::scaled_size(o.width, o.height, r);  // throws for odd sides
  if (!vision::libx264_available())
    throw std::invalid_argument("penance-dataset: libavcodec has no libx264 encoder");

  penance::table_key base;
  base.width = o.width;
  base.height = o.height;
  base.fps = o.fps;
  base.segment_s = o.segment_s;
  base.scales = o.space.scales;
  base.qps = o.space.qps;
  base.encoder = "libx264:" + o.preset + ":bframes" + std::to_string(o.bframes);
  for (int v = 0; v < o.space.models; ++v)
    base.models.push_back(content_hash(model_path(o, v)));
  base.classes = vision::street_classes;
  base.scored_frames = o.scored_frames;
  base.softmax_height = o.softmax_height;
  base.softmax_width = o.softmax_width;
  base.generator_version = vision::street_scene::generator_version;
  base.builder_version = builder_version;

  std::filesystem::create_directories(o.folder);
  penance_dataset_result result;
  std::vector<drive_job> jobs;
  auto seeds = o.drives.train_seeds();
  for (auto s : o.drives.test_seeds())
    seeds.push_back(s);
  for (auto seed : seeds) {
    auto key = base;
    key.drive_seed = seed;
    auto path = table_path(o, seed);
    auto existing = penance::read_table_key(path);
    if (existing && existing->text() == key.text() && std::filesystem::exists(path + ".softmax"))
      result.kept.push_back(path);
    else
      jobs.push_back({seed, path, key});
  }

  int per_drive = static_cast<int>(o.drives.drive_s * o.fps) / frames;
  int total = per_drive * static_cast<int>(jobs.size());
  std::atomic<int> done{0};
  std::mutex report;
  auto segment_done = [&] {
    int d = ++done;
    std::lock_guard<std::mutex> lock(report);
    if (progress)
      progress({d, total, 0, std::to_string(jobs.size()) + " drives"});
  };
  unsigned workers = o.workers > 0 ? static_cast<unsigned>(o.workers) : std::max(1u, std::thread::hardware_concurrency());
  workers = std::min<unsigned>(workers, static_cast<unsigned>(std::max<size_t>(1, jobs.size())));
  at::set_num_threads(1);  // drives side by side, one core each
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  auto work = [&] {
    try {
      at::set_num_threads(1);
      std::vector<torch::jit::Module> models;
      for (int v = 0; v < o.space.models; ++v) {
        models.push_back(torch::jit::load(model_path(o, v)));
        models.back().eval();
        if (graph_of(models.back()).classes() != vision::street_classes)
          throw std::invalid_argument("penance-dataset: " + model_path(o, v) + " has " +
                                      std::to_string(graph_of(models.back()).classes()) + " classes, the drives " +
                                      std::to_string(vision::street_classes));
      }
      drive_builder builder(o, space, models);
      for (size_t i; (i = next++) < jobs.size();) {
        builder.build(jobs[i], segment_done);
        std::lock_guard<std::mutex> lock(report);
        result.built.push_back(jobs[i].path);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(report);
      if (!failure)
        failure = std::current_exception();
      next = jobs.size();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned k = 0; k < workers && !jobs.empty(); ++k)
    pool.emplace_back(work);
  for (auto& t : pool)
    t.join();
  if (failure)
    std::rethrow_exception(failure);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace troupe::learning
