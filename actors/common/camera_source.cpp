#include "actors/common/camera_source.hpp"

#include <algorithm>
#include <chrono>

#include "actors/common/crowd_file.hpp"
#include "vision/jpeg_codec.hpp"
#include "vision/object_class.hpp"

namespace troupe {

namespace {

// A synthetic scene is named by everything that shapes it.
std::string identity_of(const vision::source_settings& s, const params& p) {
  if (s.scene)
    return "synthetic-v" + std::to_string(vision::synthetic_scene::generator_version) +
           ":seed=" + std::to_string(s.scene->seed) + ",size=" + std::to_string(s.scene->width) + "x" +
           std::to_string(s.scene->height) + ",ground=" + p.get_string("ground", "floor") +
           ",density=" + p.get_string("density", "0:1") + ",fps=" + std::to_string(s.scene->fps) +
           (p.has("classes") ? ",classes=" + p.get_string("classes") : "");
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
    b->set_label(vision::class_name(d.label));
    b->set_score(1);
  }
  ctx.send(to, std::move(truth));
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
  if (p.has("classes"))
    c.class_mix = vision::parse_class_mix(p.get_string("classes"));
  return c;
}

vision::video_view read_view(const params& p) {
  vision::video_view view;
  view.path = p.get_string("source");
  view.start_frame = static_cast<int>(p.get_int("start_frame", 0));
  view.loop = p.get_bool("loop", false);
  auto crop = p.get_ints("crop");
  if (!crop.empty()) {
    if (crop.size() != 4)
      throw std::runtime_error("crop needs [x, y, width, height]");
    view.crop = cv::Rect(int(crop[0]), int(crop[1]), int(crop[2]), int(crop[3]));
  }
  return view;
}

vision::stream_settings read_stream(const params& p) {
  vision::stream_settings s;
  s.open_timeout_ms = int(p.get_int("open_timeout_ms", s.open_timeout_ms));
  s.read_timeout_ms = int(p.get_int("read_timeout_ms", s.read_timeout_ms));
  s.backoff_initial_ms = int(p.get_int("backoff_initial_ms", s.backoff_initial_ms));
  s.backoff_max_ms = int(p.get_int("backoff_max_ms", s.backoff_max_ms));
  s.max_attempts = int(p.get_int("max_attempts", s.max_attempts));
  return s;
}

std::shared_ptr<camera_oracle> read_oracle(const params& p) {
  if (!p.has("oracle"))
    return nullptr;
  auto judge = std::make_shared<camera_oracle>();
  judge->model = vision::make_detector(p.get_string("oracle"));
  judge->model_key = vision::file_identity(p.get_string("oracle"));
  judge->min_score = p.get_double("oracle_min_score", judge->min_score);
  if (p.has("oracle_cache"))
    judge->cache = std::make_unique<vision::detection_cache>(p.get_string("oracle_cache"));
  return judge;
}

// Frame i of a crowd camera shows the crowd at start_s + i / fps s: a camera that falls
// behind its rate sees the crowd late, as a video would.
class crowd_frames final : public vision::frame_source {
 public:
  crowd_frames(const camera_crowd& c, double fps)
      : view_(c.crowd, c.camera), size_(c.frame), fps_(fps), start_s_(c.crowd->start_s) {}
  std::optional<vision::source_frame> next() override {
    vision::source_frame f;
    f.index = index_++;
    f.crop = cv::Rect(cv::Point(0, 0), size_);
    f.objects = view_.in_view(start_s_ + double(f.index) / fps_);
    return f;
  }

 private:
  crowd_view view_;
  cv::Size size_;
  double fps_, start_s_;
  uint64_t index_ = 0;
};

camera_crowd read_crowd(const params& p, const std::string& crowd_camera) {
  if (crowd_camera.empty())
    throw std::runtime_error("source crowd has no pixels: only pipeline cameras (videojam-camera) take it");
  auto file = p.get_string("crowd");
  if (file.empty())
    throw std::runtime_error("source crowd needs `crowd`: the crowd file");
  auto loaded = load_crowd(file);
  if (!loaded.errors.empty())
    throw std::runtime_error(loaded.errors.front().to_string());
  auto name = p.get_string("crowd_camera", crowd_camera);
  auto& cameras = loaded.crowd.cameras;
  auto at = std::find(cameras.begin(), cameras.end(), name);
  if (at == cameras.end())
    throw std::runtime_error("camera '" + name + "' is not in the crowd file " + file);
  auto index = size_t(at - cameras.begin());
  if (p.has("seed"))  // every camera of one crowd must name the same seed (benches move them together)
    loaded.crowd.seed = uint64_t(p.get_int("seed"));
  camera_crowd c{std::make_shared<const crowd_config>(std::move(loaded.crowd)), index};
  auto frame = p.get_ints("crowd_frame");
  if (!frame.empty()) {
    if (frame.size() != 2 || frame[0] < 1 || frame[1] < 1)
      throw std::runtime_error("crowd_frame needs [width, height] pixels");
    c.frame = cv::Size(int(frame[0]), int(frame[1]));
  }
  return c;
}

}  // namespace

std::unique_ptr<vision::frame_source> camera_source::open() const {
  if (crowd)
    return std::make_unique<crowd_frames>(*crowd, fps);
  return vision::open_frame_source(source);
}

std::vector<vision::detection> camera_oracle::truth(const vision::source_frame& f, const std::string& identity,
                                                    uint64_t source_frame) {
  vision::cache_key key{identity, f.crop, model_key, source_frame};
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

caf::timespan camera_source::until_next_frame(const context& ctx, int64_t taken_ns) const {
  auto period = std::chrono::duration_cast<caf::timespan>(std::chrono::duration<double>(1.0 / fps));
  return std::max<caf::timespan>(caf::timespan{0}, period - std::chrono::nanoseconds(ctx.now_ns() - taken_ns));
}

std::optional<vision::source_frame> camera_source::next(vision::frame_source& frames, const context& ctx,
                                                        uint64_t sent) const {
  if (max_frames > 0 && sent >= uint64_t(max_frames))
    return std::nullopt;
  auto frame = frames.next();
  if (!frame)
    return frame;
  if (!frame->truth && oracle)
    frame->truth = oracle->truth(*frame, identity, uint64_t(source.view.start_frame) + frame->index);
  if (frame->truth && truth_to_sink)
    send_truth(ctx, sink, *frame);
  return frame;
}

msg::Region camera_source::region(const context& ctx, const vision::source_frame& frame, const cv::Rect& at,
                                  int64_t capture_ns, const std::string& reply_to) const {
  msg::Region region;
  region.set_camera(ctx.name());
  region.set_frame_index(frame.index);
  region.set_capture_time_unix_ns(capture_ns);
  region.set_x(at.x);
  region.set_y(at.y);
  region.set_width(at.width);
  region.set_height(at.height);
  bool whole = at == cv::Rect(0, 0, frame.image.cols, frame.image.rows);
  region.set_jpeg(vision::encode_jpeg(whole ? frame.image : frame.image(at), jpeg_quality));
  region.set_reply_to(reply_to);
  if (identity.empty())
    return region;
  // The cache key: where in the source these pixels come from.
  auto in_source = whole ? frame.crop : at + frame.crop.tl();
  auto& v = *region.mutable_view();
  v.set_source(identity);
  v.set_frame(uint64_t(source.view.start_frame) + frame.index);
  v.set_crop_x(in_source.x);
  v.set_crop_y(in_source.y);
  v.set_crop_width(in_source.width);
  v.set_crop_height(in_source.height);
  return region;
}

std::vector<param_spec> camera_source_params() {
  return {
    {"source", param_type::path, true, "a video file, a folder of images, an rtsp:// or http(s):// stream, synthetic, or crowd (pipeline cameras)"},
    {"sink", param_type::string, true, "actor that receives the detections (and the ground truth)", {"sink", "videojam-sink"}},
    in_range({"fps", param_type::number, false, "frames per second, default 10"}, 0.01, 1000),
    {"crop", param_type::integer_list, false, "[x, y, width, height] of the view, default whole frame"},
    {"oracle", param_type::path, false, "model whose detections on the full view are the ground truth (real video)"},
    {"oracle_cache", param_type::string, false, "detection cache folder for the oracle, default none"},
    in_range({"oracle_min_score", param_type::number, false, "oracle boxes below this score are not truth, default 0.5"}, 0, 1),
    in_range({"wait_for_detector_ms", param_type::integer, false, "first frame waits this long for the detector to be up, default 10000"}, 0, 3600000),
    in_range({"start_after_ms", param_type::integer, false, "first frame no earlier than this after the camera starts, default 0"}, 0, 3600000),
    {"pan", param_type::integer_list, false, "mobile camera: [dx, dy] pixels per second the crop moves, bouncing; default fixed"},
    in_range({"start_frame", param_type::integer, false, "frames skipped at start, default 0"}, 0, 1000000000),
    {"loop", param_type::boolean, false, "start over at the end, default false"},
    in_range({"max_frames", param_type::integer, false, "stop after this many frames, default 0 (all)"}, 0, 1000000000),
    in_range({"jpeg_quality", param_type::integer, false, "JPEG quality 0-100, default 90"}, 0, 100),
    in_range({"open_timeout_ms", param_type::integer, false, "stream: connection attempt timeout, default 5000"}, 1, 3600000),
    in_range({"read_timeout_ms", param_type::integer, false, "stream: silence that breaks the connection, default 5000"}, 1, 3600000),
    in_range({"backoff_initial_ms", param_type::integer, false, "stream: first reconnect wait, doubling, default 500"}, 1, 3600000),
    in_range({"backoff_max_ms", param_type::integer, false, "stream: longest reconnect wait, default 8000"}, 1, 3600000),
    in_range({"max_attempts", param_type::integer, false, "stream: failed attempts in a row before giving up, default 10 (0: never)"}, 0, 1000000),
    in_range({"seed", param_type::integer, false, "synthetic: scene seed, default 1; crowd: replaces the file's (the same on every camera of the crowd)"}, 0, 9007199254740992),
    {"density", param_type::string, false, "synthetic: arrivals per second over time, e.g. \"0:1, 20:4\"; default 0:1"},
    {"ground", param_type::string, false, "synthetic: floor (default) or road"},
    {"classes", param_type::string, false, "synthetic: share of arrivals per class, e.g. \"person:2, car:1, bike:1\"; default people only"},
    in_range({"scene_width", param_type::integer, false, "synthetic: scene width, default 768"}, 32, 16384),
    in_range({"scene_height", param_type::integer, false, "synthetic: scene height, default 576"}, 32, 16384),
    {"crowd", param_type::path, false, "crowd: the crowd file (cameras, entrances, edges, dwell, lag, bursts)"},
    {"crowd_camera", param_type::string, false, "crowd: this camera's name in the crowd file, default the actor's"},
    {"crowd_frame", param_type::integer_list, false, "crowd: [width, height] a frame stands for, default [1280, 720]"},
  };
}

camera_source read_camera_source(const params& p, const std::string& crowd_camera) {
  camera_source s;
  s.fps = p.get_double("fps", 10);
  if (s.fps <= 0)
    throw std::runtime_error("fps must be positive");
  s.sink = p.get_string("sink");
  s.max_frames = p.get_int("max_frames", 0);
  s.wait_for_detector_ms = p.get_int("wait_for_detector_ms", s.wait_for_detector_ms);
  s.start_after_ms = p.get_int("start_after_ms", s.start_after_ms);
  if (p.get_string("source") == "crowd") {
    s.crowd = read_crowd(p, crowd_camera);
    return s;
  }
  s.source.view = read_view(p);
  s.source.scene = read_scene(p, s.fps);
  s.source.fps = s.fps;
  s.source.stream = read_stream(p);
  auto pan = p.get_ints("pan");
  if (!pan.empty()) {
    if (pan.size() != 2 || s.source.view.crop.area() == 0)
      throw std::runtime_error("pan needs [dx, dy] pixels per second and a crop to move");
    s.source.pan_px_s = cv::Point2d(double(pan[0]), double(pan[1]));
  }
  s.identity = identity_of(s.source, p);
  s.jpeg_quality = static_cast<int>(p.get_int("jpeg_quality", 90));
  vision::open_frame_source(s.source);  // fail here, naming the file
  s.oracle = read_oracle(p);
  return s;
}

std::optional<msg::CameraPace> pace_meter::frame_taken(const std::string& camera, double fps, int64_t now_ns) {
  if (window_start_ns_ < 0)
    window_start_ns_ = now_ns;
  std::optional<msg::CameraPace> out;
  if (now_ns - window_start_ns_ >= window_ns_) {
    out.emplace();
    out->set_camera(camera);
    out->set_target_fps(fps);
    out->set_frames(frames_);
    out->set_window_s((now_ns - window_start_ns_) / 1e9);
    window_start_ns_ = now_ns;
    frames_ = 0;
  }
  ++frames_;
  return out;
}

}  // namespace troupe
