// Per 720p frame on one core: video decode, DIS optical flow, Canny, HOG, each of
// the project's trained detector sizes (TorchScript and its ONNX export through
// OpenCV DNN, both on a 320×320 letterbox), detector throughput against batch size,
// a detector replica actor's throughput against its max_batch, and what one emulated
// camera of the load sweep costs at 768×576 (scene, JPEG both ways, MOG2).
// Every figure is the median of several rounds; the machine is shared and noisy.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <caf/all.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video.hpp>
#include <opencv2/videoio.hpp>

#include "actors/systems.hpp"
#include "actors/runtime/errors.hpp"
#include "actors/runtime/deploy/nats_server.hpp"
#include "actors/runtime/node.hpp"
#include "learning/onnx_export.hpp"
#include "learning/torchscript_detector.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/detector.hpp"
#include "vision/jpeg_codec.hpp"
#include "vision/video_source.hpp"
#include "vision/percentile.hpp"
#include "vision/synthetic_scene.hpp"

using namespace troupe;
using steady = std::chrono::steady_clock;

namespace {

using vision::median;

struct settings {
  std::string video = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
  std::string models = "build/models";  // detector-{n,s,m}.pt
  int frames = 20;                      // 720p frames per round
  int rounds = 5;
  std::vector<int> batches = {1, 2, 4, 8};
};

// Median over rounds of the mean ms per item of `work(i)` over `items` items.
double ms_per_item(int rounds, int items, const std::function<void(int)>& work) {
  std::vector<double> per_round;
  for (int r = 0; r < rounds; ++r) {
    auto start = steady::now();
    for (int i = 0; i < items; ++i)
      work(i);
    per_round.push_back(std::chrono::duration<double, std::milli>(steady::now() - start).count() / items);
  }
  return median(per_round);
}

std::vector<cv::Mat> frames_720p(const settings& s) {
  vision::video_source source({s.video, {}, 0, true});
  std::vector<cv::Mat> out;
  for (int i = 0; i < s.frames; ++i) {
    cv::Mat big;
    cv::resize(*source.next(), big, {1280, 720}, 0, 0, cv::INTER_LINEAR);
    out.push_back(big);
  }
  return out;
}

// A 720p MJPEG file of the frames, so decoding reads a real 720p video.
std::string write_video(const std::vector<cv::Mat>& frames) {
  auto path = (std::filesystem::temp_directory_path() / "troupe-vision-bench-720p.avi").string();
  cv::VideoWriter out(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 25, frames[0].size());
  if (!out.isOpened())
    throw std::runtime_error("cannot write " + path);
  for (auto& f : frames)
    out.write(f);
  return path;
}

// Frames per second a detector replica actor delivers when `regions` arrive at once
// and it batches up to `max_batch`: bus, queue, JPEG decode, inference, results.
double replica_fps(node& n, const std::string& model, int max_batch, const std::vector<std::string>& jpegs) {
  static int round = 0;
  auto name = "bench-" + std::to_string(++round), probe = "bench-probe-" + std::to_string(round);
  auto spawned = n.spawn(name, "detector", params::from_yaml("{ model: " + model + ", max_batch: " +
                                                           std::to_string(max_batch) +
                                                           ", max_wait_ms: 50, queue_capacity: 64, overflow: block,"
                                                           " max_age_ms: 600000 }"));
  if (!spawned)
    throw std::runtime_error(describe(spawned.error()));
  caf::scoped_actor self{n.system()};
  n.spawn_function(probe, [](caf::event_based_actor*, context, caf::actor to) {
    return caf::behavior{[=](const letter& l) { caf::anon_send(to, l); }};
  }, caf::actor{self});
  auto send_all = [&] {
    for (size_t i = 0; i < jpegs.size(); ++i) {
      msg::Region r;
      r.set_camera("bench");
      r.set_frame_index(i);
      r.set_capture_time_unix_ns(n.make_context("bench").now_ns());
      r.set_width(1280);
      r.set_height(720);
      r.set_jpeg(jpegs[i]);
      r.set_reply_to(probe);
      n.send(name, r);
    }
    for (size_t got = 0; got < jpegs.size();)
      self->receive([&](const letter&) { ++got; }, caf::after(std::chrono::seconds(60)) >> [&] { got = jpegs.size(); });
  };
  send_all();  // warm-up: TorchScript profiles each new batch shape first
  auto start = steady::now();
  send_all();
  double seconds = std::chrono::duration<double>(steady::now() - start).count();
  n.stop(name);
  n.stop(probe);
  return jpegs.size() / seconds;
}

void row(const std::string& what, double ms) {
  std::printf("  %-34s %9.2f ms  %8.1f frames/s\n", what.c_str(), ms, ms > 0 ? 1000 / ms : 0);
}

// One frame of a synthetic camera of the load sweep (bench/load_sweep.cpp) and of its
// MOG2 replica: on one host the cameras' own work competes with what it feeds.
void emulated_camera(const settings& s) {
  vision::scene_config config;  // 768×576, sensor noise: the sweep's cameras
  config.fps = 2;
  vision::synthetic_scene scene(config);
  std::vector<vision::synthetic_frame> frames(s.frames);  // each round's replace the last's, as a camera's do
  std::printf("one emulated camera at %dx%d, as in load_sweep:\n", config.width, config.height);
  row("render a synthetic scene", ms_per_item(s.rounds, s.frames, [&](int i) { frames[i] = scene.next(); }));
  std::vector<std::string> jpegs(s.frames);
  row("JPEG encode (quality 90)", ms_per_item(s.rounds, s.frames, [&](int i) {
        jpegs[i] = vision::encode_jpeg(frames[i].image, 90);
      }));
  std::vector<cv::Mat> decoded(s.frames);
  row("JPEG decode", ms_per_item(s.rounds, s.frames, [&](int i) { decoded[i] = vision::decode_jpeg(jpegs[i]); }));
  auto mog2 = vision::make_detector("mog2");
  mog2->detect(decoded[0]);  // the first frame allocates the background model
  row("MOG2 blobs (one camera's model)", ms_per_item(s.rounds, s.frames, [&](int i) { mog2->detect(decoded[i]); }));
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"vision_bench: per-frame costs of the vision substrate on one core, 720p"};
  app.add_option("--video", s.video, "source video, scaled to 1280x720");
  app.add_option("--models", s.models, "folder of detector-{n,s,m}.pt (troupe train-detector)");
  app.add_option("--frames", s.frames, "frames per round");
  app.add_option("--rounds", s.rounds, "rounds; medians are printed");
  app.add_option("--batches", s.batches, "batch sizes for the throughput table");
  CLI11_PARSE(app, argc, argv);
  cv::setNumThreads(1);
  learning::set_torch_threads(1);
  learning::register_torchscript_models();

  auto frames = frames_720p(s);
  auto video = write_video(frames);
  std::printf("vision_bench: %d frames of 1280x720 per round, %d rounds, one core; medians\n", s.frames, s.rounds);
  emulated_camera(s);

  row("decode (MJPEG 720p, VideoCapture)", ms_per_item(s.rounds, 1, [&](int) {
        cv::VideoCapture cap(video);
        cv::Mat f;
        int n = 0;
        while (cap.read(f))
          ++n;
      }) / s.frames);
  std::vector<cv::Mat> grey(frames.size());
  for (size_t i = 0; i < frames.size(); ++i)
    cv::cvtColor(frames[i], grey[i], cv::COLOR_BGR2GRAY);
  auto dis = cv::DISOpticalFlow::create(cv::DISOpticalFlow::PRESET_FAST);
  cv::Mat flow;
  row("DIS optical flow (fast preset)", ms_per_item(s.rounds, s.frames - 1, [&](int i) { dis->calc(grey[i], grey[i + 1], flow); }));
  cv::Mat edges;
  row("Canny (50, 150)", ms_per_item(s.rounds, s.frames, [&](int i) { cv::Canny(grey[i], edges, 50, 150); }));
  auto hog = vision::make_detector("hog");
  row("HOG people detector", ms_per_item(std::min(s.rounds, 3), std::min(s.frames, 5), [&](int i) { hog->detect(frames[i]); }));

  std::vector<std::pair<std::string, std::unique_ptr<vision::detector>>> learned;
  for (auto size : {"n", "s", "m"}) {
    auto path = s.models + "/detector-" + size + ".pt";
    if (!std::filesystem::exists(path)) {
      std::printf("  %-34s (missing: troupe train-detector --size %s -o %s)\n", ("detector-" + std::string(size)).c_str(), size, path.c_str());
      continue;
    }
    learned.emplace_back(path, vision::make_detector(path));
    auto& model = *learned.back().second;
    model.detect(frames[0]);  // the first runs profile the TorchScript graph
    row("detector-" + std::string(size) + " TorchScript (libtorch)", ms_per_item(s.rounds, s.frames, [&](int i) { model.detect(frames[i]); }));
    auto onnx = (std::filesystem::temp_directory_path() / ("troupe-bench-detector-" + std::string(size) + ".onnx")).string();
    learning::export_onnx(path, onnx);
    auto dnn = vision::make_detector(onnx);
    dnn->detect(frames[0]);
    row("detector-" + std::string(size) + " ONNX (OpenCV DNN)", ms_per_item(s.rounds, s.frames, [&](int i) { dnn->detect(frames[i]); }));
    std::filesystem::remove(onnx);
  }
  for (auto& [path, model] : learned) {
    std::printf("%s throughput against batch size (one core):\n", model->model().c_str());
    for (int b : s.batches) {
      std::vector<cv::Mat> batch(frames.begin(), frames.begin() + std::min<int>(b, frames.size()));
      for (int warm = 0; warm < 3; ++warm)  // TorchScript profiles each new input shape first
        model->detect_batch(batch);
      double ms = ms_per_item(s.rounds, std::max(1, s.frames / b), [&](int) { model->detect_batch(batch); });
      std::printf("  batch %2d: %8.2f ms per batch, %8.1f frames/s\n", b, ms, 1000.0 * b / ms);
    }
  }
  if (!learned.empty()) {
    nats_server server;
    node_config cfg;
    cfg.deployment = "vision-bench";
    cfg.name = "bench";
    cfg.bus.url = server.url();
    cfg.kinds = &builtin_kinds();
    cfg.workers = 1;
    node n(cfg);
    std::vector<std::string> jpegs;
    for (int i = 0; i < 2 * s.batches.back(); ++i)
      jpegs.push_back(vision::encode_jpeg(frames[i % frames.size()], 90));
    auto& [path, model] = learned.front();
    std::printf("replica actor with %s, %zu 720p JPEG regions at once (median of %d rounds):\n", model->model().c_str(),
                jpegs.size(), std::min(s.rounds, 3));
    for (int b : s.batches) {
      std::vector<double> fps;
      for (int r = 0; r < std::min(s.rounds, 3); ++r)
        fps.push_back(replica_fps(n, path, b, jpegs));
      std::printf("  max_batch %2d: %8.1f frames/s\n", b, median(fps));
    }
  }
  std::filesystem::remove(video);
  return 0;
}
