#include "actors/camera.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/context.hpp"
#include "actors/node.hpp"
#include "troupe/messages/vision.pb.h"
#include "vision/jpeg_codec.hpp"
#include "vision/detection_cache.hpp"
#include "vision/detector.hpp"
#include "vision/frame_source.hpp"

namespace troupe {

namespace {

struct camera_settings {
  vision::source_settings source;
  std::string identity;  // names the source for detection caches; empty for live streams
  double fps = 10;
  std::string detector, sink;
  int64_t max_frames = 0;
  int jpeg_quality = 90;
  int64_t wait_for_detector_ms = 10000;
  std::string oracle;         // a model whose detections on the full view are the ground truth
  std::string oracle_cache;   // detection cache folder for the oracle; empty: none
  double oracle_min_score = 0.5;
};

// Ground truth for real video, as the papers make it: the strongest model on the
// camera's full-resolution view, cached so repeated runs do not pay for it again.
struct oracle {
  std::unique_ptr<vision::detector> model;
  std::unique_ptr<vision::detection_cache> cache;
  double min_score = 0.5;

  std::vector<vision::detection> truth(const vision::source_frame& f, const std::string& identity,
                                       uint64_t source_frame) {
    vision::cache_key key{identity, f.crop, model->model(), source_frame};
    auto cached = cache && !identity.empty() ? cache->find(key) : std::nullopt;
    auto found = cached ? *cached : model->detect(f.image);
    if (cache && !cached && !identity.empty())
      cache->store(key, found);
    std::vector<vision::detection> kept;
    for (auto& d : found)
      if (d.score >= min_score)
        kept.push_back(d);
    return kept;
  }
};

void set_view(msg::SourceView& v, const camera_settings& cfg, const vision::source_frame& frame) {
  v.set_source(cfg.identity);
  v.set_frame(uint64_t(cfg.source.view.start_frame) + frame.index);
  v.set_crop_x(frame.crop.x);
  v.set_crop_y(frame.crop.y);
  v.set_crop_width(frame.crop.width);
  v.set_crop_height(frame.crop.height);
}

// A synthetic scene is named by everything that shapes it.
std::string identity_of(const vision::source_settings& s, const params& p) {
  if (s.scene)
    return "synthetic:seed=" + std::to_string(s.scene->seed) + ",size=" + std::to_string(s.scene->width) + "x" +
           std::to_string(s.scene->height) + ",ground=" + p.get_string("ground", "floor") +
           ",density=" + p.get_string("density", "0:1") + ",fps=" + std::to_string(s.scene->fps);
  return vision::is_stream_url(s.view.path) ? "" : s.view.path;
}

void send_truth(const context& ctx, const std::string& to, const vision::source_frame& frame) {
  msg::GroundTruth truth;
  truth.set_camera(ctx.name());
  truth.set_frame_index(frame.index);
  for (auto& d : *frame.truth) {
    auto* b = truth.add_boxes();
    b->set_x(d.box.x);
    b->set_y(d.box.y);
    b->set_width(d.box.width);
    b->set_height(d.box.height);
    b->set_label("person");
    b->set_score(1);
  }
  ctx.send(to, std::move(truth));
}

caf::behavior camera(caf::event_based_actor* self, context ctx, camera_settings cfg,
                     std::shared_ptr<oracle> judge) {
  std::shared_ptr<vision::frame_source> source = vision::open_frame_source(cfg.source);
  auto sent = std::make_shared<uint64_t>(0);
  auto period = std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(1.0 / cfg.fps));
  auto waiting_since = ctx.now_ns();
  self->send(self, tick_atom::value);
  return {
    [=](tick_atom) {
      // A replica loading its model is not up yet: frames sent now would be refused.
      if (*sent == 0 && !ctx.knows(cfg.detector) &&
          ctx.now_ns() - waiting_since < cfg.wait_for_detector_ms * 1'000'000) {
        ctx.after(self, std::chrono::milliseconds(20), tick_atom::value);
        return;
      }
      auto next_due = ctx.now_ns();
      std::optional<vision::source_frame> frame;
      try {
        if (cfg.max_frames == 0 || *sent < uint64_t(cfg.max_frames))
          frame = source->next();
      } catch (const std::exception& e) {
        spdlog::error("camera {}: {}", ctx.name(), e.what());
        self->quit(caf::make_error(caf::sec::runtime_error, e.what()));
        return;
      }
      if (!frame) {
        spdlog::info("camera {}: end of source after {} frames", ctx.name(), *sent);
        self->quit();
        return;
      }
      ++*sent;
      if (!frame->truth && judge)
        frame->truth = judge->truth(*frame, cfg.identity, uint64_t(cfg.source.view.start_frame) + frame->index);
      if (frame->truth)
        send_truth(ctx, cfg.sink, *frame);
      msg::Region region;
      region.set_camera(ctx.name());
      region.set_frame_index(frame->index);
      region.set_capture_time_unix_ns(next_due);
      region.set_width(frame->image.cols);
      region.set_height(frame->image.rows);
      region.set_jpeg(vision::encode_jpeg(frame->image, cfg.jpeg_quality));
      region.set_reply_to(cfg.sink);
      if (!cfg.identity.empty())
        set_view(*region.mutable_view(), cfg, *frame);
      if (auto err = ctx.send(cfg.detector, std::move(region)))
        spdlog::warn("camera {}: frame {} not sent: {}", ctx.name(), frame->index, caf::to_string(err));
      auto spent = std::chrono::nanoseconds(ctx.now_ns() - next_due);
      ctx.after(self, std::max<caf::timespan>(caf::timespan{0}, period - spent), tick_atom::value);
    },
  };
}

// `source: synthetic` makes a synthetic scene of the camera's frame rate.
std::optional<vision::scene_config> read_scene(const params& p, double fps) {
  if (p.get_string("source") != "synthetic")
    return std::nullopt;
  vision::scene_config c;
  c.fps = fps;
  c.seed = uint64_t(p.get_int("seed", int64_t(c.seed)));
  c.width = int(p.get_int("scene_width", c.width));
  c.height = int(p.get_int("scene_height", c.height));
  auto ground = p.get_string("ground", "floor");
  if (ground != "floor" && ground != "road")
    throw std::runtime_error("ground '" + ground + "' is not floor or road");
  c.ground = ground == "road" ? vision::scene_ground::road : vision::scene_ground::floor;
  if (p.has("density"))
    c.schedule = vision::parse_density_schedule(p.get_string("density"));
  return c;
}

camera_settings read_settings(const params& p) {
  camera_settings s;
  auto& view = s.source.view;
  view.path = p.get_string("source");
  view.start_frame = static_cast<int>(p.get_int("start_frame", 0));
  view.loop = p.get_bool("loop", false);
  auto crop = p.get_ints("crop");
  if (!crop.empty()) {
    if (crop.size() != 4)
      throw std::runtime_error("crop needs [x, y, width, height]");
    view.crop = cv::Rect(int(crop[0]), int(crop[1]), int(crop[2]), int(crop[3]));
  }
  s.fps = p.get_double("fps", 10);
  if (s.fps <= 0)
    throw std::runtime_error("fps must be positive");
  s.detector = p.get_string("detector");
  s.sink = p.get_string("sink");
  s.max_frames = p.get_int("max_frames", 0);
  s.jpeg_quality = static_cast<int>(p.get_int("jpeg_quality", 90));
  s.wait_for_detector_ms = p.get_int("wait_for_detector_ms", s.wait_for_detector_ms);
  s.oracle = p.get_string("oracle");
  s.oracle_cache = p.get_string("oracle_cache");
  s.oracle_min_score = p.get_double("oracle_min_score", s.oracle_min_score);
  s.source.scene = read_scene(p, s.fps);
  s.source.fps = s.fps;
  auto pan = p.get_ints("pan");
  if (!pan.empty()) {
    if (pan.size() != 2 || view.crop.area() == 0)
      throw std::runtime_error("pan needs [dx, dy] pixels per second and a crop to move");
    s.source.pan_px_s = cv::Point2d(double(pan[0]), double(pan[1]));
  }
  s.identity = identity_of(s.source, p);
  auto& stream = s.source.stream;
  stream.open_timeout_ms = int(p.get_int("open_timeout_ms", stream.open_timeout_ms));
  stream.read_timeout_ms = int(p.get_int("read_timeout_ms", stream.read_timeout_ms));
  stream.backoff_initial_ms = int(p.get_int("backoff_initial_ms", stream.backoff_initial_ms));
  stream.backoff_max_ms = int(p.get_int("backoff_max_ms", stream.backoff_max_ms));
  stream.max_attempts = int(p.get_int("max_attempts", stream.max_attempts));
  return s;
}

}  // namespace

kind_spec camera_kind() {
  return {
    "camera",
    "reads a video or synthetic scene, sends JPEG regions to a detector (and ground truth to the sink)",
    {
      {"source", param_type::string, true, "a video file, a folder of images, an rtsp:// or http(s):// stream, or synthetic"},
      {"detector", param_type::string, true, "actor that detects objects in the regions"},
      {"sink", param_type::string, true, "actor that receives the detections"},
      {"fps", param_type::number, false, "frames per second, default 10"},
      {"crop", param_type::integer_list, false, "[x, y, width, height] of the view, default whole frame"},
      {"oracle", param_type::string, false, "model whose detections on the full view are the ground truth (real video)"},
      {"oracle_cache", param_type::string, false, "detection cache folder for the oracle, default none"},
      {"oracle_min_score", param_type::number, false, "oracle boxes below this score are not truth, default 0.5"},
      {"wait_for_detector_ms", param_type::integer, false, "first frame waits this long for the detector to be up, default 10000"},
      {"pan", param_type::integer_list, false, "mobile camera: [dx, dy] pixels per second the crop moves, bouncing; default fixed"},
      {"start_frame", param_type::integer, false, "frames skipped at start, default 0"},
      {"loop", param_type::boolean, false, "start over at the end, default false"},
      {"max_frames", param_type::integer, false, "stop after this many frames, default 0 (all)"},
      {"jpeg_quality", param_type::integer, false, "JPEG quality 0-100, default 90"},
      {"open_timeout_ms", param_type::integer, false, "stream: connection attempt timeout, default 5000"},
      {"read_timeout_ms", param_type::integer, false, "stream: silence that breaks the connection, default 5000"},
      {"backoff_initial_ms", param_type::integer, false, "stream: first reconnect wait, doubling, default 500"},
      {"backoff_max_ms", param_type::integer, false, "stream: longest reconnect wait, default 8000"},
      {"max_attempts", param_type::integer, false, "stream: failed attempts in a row before giving up, default 10 (0: never)"},
      {"seed", param_type::integer, false, "synthetic: scene seed, default 1"},
      {"density", param_type::string, false, "synthetic: arrivals per second over time, e.g. \"0:1, 20:4\"; default 0:1"},
      {"ground", param_type::string, false, "synthetic: floor (default) or road"},
      {"scene_width", param_type::integer, false, "synthetic: scene width, default 768"},
      {"scene_height", param_type::integer, false, "synthetic: scene height, default 576"},
    },
    [](node& n, context ctx, const params& p) {
      auto settings = read_settings(p);
      vision::open_frame_source(settings.source);  // fail here, naming file and actor
      std::shared_ptr<oracle> judge;
      if (!settings.oracle.empty()) {
        judge = std::make_shared<oracle>();
        judge->model = vision::make_detector(settings.oracle);
        judge->min_score = settings.oracle_min_score;
        if (!settings.oracle_cache.empty())
          judge->cache = std::make_unique<vision::detection_cache>(settings.oracle_cache);
      }
      return n.system().spawn<caf::detached>(camera, std::move(ctx), std::move(settings), std::move(judge));
    },
  };
}

}  // namespace troupe
