#include "vision/synthetic_scene.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include <opencv2/imgproc.hpp>

#include "vision/object_class.hpp"

namespace troupe::vision {

// Per-pixel N(0, σ) noise, drawn once for every scene of one size and σ instead of per
// frame: 1.3 M normal draws at 768×576 were most of an emulated camera's time
// (bench/vision_bench), and on one host that is time the replicas under test lose. A
// field twice the frame each way; each frame takes the window at an offset of its own
// draw, so a pixel's noise still changes from frame to frame. Kept as its positive and
// negative parts, each 8-bit: adding one and subtracting the other, both saturating,
// is the saturated sum with the signed noise.
struct noise_field {
  cv::Mat up, down;
};

namespace {

std::shared_ptr<const noise_field> noise_field_for(cv::Size frame, double sigma) {
  static std::mutex mtx;
  static std::map<std::tuple<int, int, double>, std::shared_ptr<const noise_field>> fields;
  std::lock_guard<std::mutex> lock(mtx);
  auto& field = fields[{frame.width, frame.height, sigma}];
  if (!field) {
    cv::Mat noise(frame.height * 2, frame.width * 2, CV_16SC3), negated;
    cv::RNG rng(0x5eed0f5ce7e5);  // one field for every seed: the offsets differ
    rng.fill(noise, cv::RNG::NORMAL, 0, sigma);
    cv::subtract(cv::Scalar::all(0), noise, negated);
    auto made = std::make_shared<noise_field>();
    noise.convertTo(made->up, CV_8UC3);  // saturating: the negative half becomes 0
    negated.convertTo(made->down, CV_8UC3);
    field = made;
  }
  return field;
}

}  // namespace

synthetic_scene::synthetic_scene(scene_config config)
    : config_(std::move(config)), engine_(config_.seed) {
  if (config_.width <= 0 || config_.height <= 0 || config_.fps <= 0)
    throw std::invalid_argument("synthetic scene needs a positive size and frame rate");
  if (config_.schedule.empty())
    throw std::invalid_argument("synthetic scene needs a density schedule");
  double shares = 0;
  for (double c : config_.class_mix)
    shares += c < 0 ? -1e9 : c;
  if (config_.class_mix.size() > object_class_names().size() || shares <= 0)
    throw std::invalid_argument("synthetic scene needs class shares >= 0 of person, car, bike, one above 0");
  std::sort(config_.schedule.begin(), config_.schedule.end(),
            [](auto& a, auto& b) { return a.start_s < b.start_s; });
  draw_ground();
  next_arrival_s_ = 0;
  if (config_.sensor_noise > 0)
    noise_ = noise_field_for({config_.width, config_.height}, config_.sensor_noise);
}

double synthetic_scene::uniform() {
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

double synthetic_scene::arrival_rate(double t) const {
  double rate = 0;
  for (auto& phase : config_.schedule)
    if (phase.start_s <= t)
      rate = phase.arrivals_per_s;
  return rate;
}

void synthetic_scene::draw_ground() {
  ground_ = cv::Mat(config_.height, config_.width, CV_8UC3, cv::Scalar(110, 115, 120));
  if (config_.ground == scene_ground::floor) {
    for (int x = 0; x < config_.width; x += 64)
      cv::line(ground_, {x, 0}, {x, config_.height}, cv::Scalar(95, 100, 105), 2);
    for (int y = 0; y < config_.height; y += 64)
      cv::line(ground_, {0, y}, {config_.width, y}, cv::Scalar(95, 100, 105), 2);
  } else {
    int top = config_.height / 4, bottom = 3 * config_.height / 4;
    cv::rectangle(ground_, {0, top}, {config_.width, bottom}, cv::Scalar(70, 70, 70), cv::FILLED);
    for (int x = 0; x < config_.width; x += 80)
      cv::line(ground_, {x, config_.height / 2}, {x + 40, config_.height / 2},
               cv::Scalar(220, 220, 220), 3);
  }
}

int synthetic_scene::draw_class() {
  if (config_.class_mix.size() <= 1)
    return person;
  double total = 0;
  for (double c : config_.class_mix)
    total += c;
  double x = uniform() * total;
  for (size_t i = 0; i < config_.class_mix.size(); ++i) {
    x -= config_.class_mix[i];
    if (x < 0)
      return int(i);
  }
  return int(config_.class_mix.size()) - 1;
}

// Enters just outside a random edge and heads across, towards a random point of the
// opposite half, so it crosses the view. Cars are 2.2× a person's width and half as
// tall as wide, and twice as fast; bikes 1.3× its width, 0.6–0.75 as tall as wide.
void synthetic_scene::spawn_object() {
  object o;
  o.kind = draw_class();
  double w = uniform(config_.object_width_min, config_.object_width_max);
  // Width, height, then speed: a person's draws in the order they had before classes.
  double height = o.kind == car ? uniform(0.45, 0.6) : o.kind == bike ? uniform(0.6, 0.75) : uniform(2.0, 2.6);
  double scale = o.kind == car ? 2.2 : o.kind == bike ? 1.3 : 1.0;
  o.size = {w * scale, w * scale * height};
  double speed = uniform(config_.speed_min_px_s, config_.speed_max_px_s) * (o.kind == car ? 2 : 1);
  double W = config_.width, H = config_.height;
  int edge = static_cast<int>(uniform() * 4);
  cv::Point2d start, target;
  switch (edge) {
    case 0: start = {-o.size.width, uniform(0, H - o.size.height)}; target = {W, uniform(0, H)}; break;
    case 1: start = {W, uniform(0, H - o.size.height)}; target = {-o.size.width, uniform(0, H)}; break;
    case 2: start = {uniform(0, W - o.size.width), -o.size.height}; target = {uniform(0, W), H}; break;
    default: start = {uniform(0, W - o.size.width), H}; target = {uniform(0, W), -o.size.height}; break;
  }
  cv::Point2d dir = target - start;
  double len = std::hypot(dir.x, dir.y);
  o.position = start;
  o.velocity = dir * (speed / len);
  o.color = cv::Scalar(uniform(0, 255), uniform(0, 255), uniform(0, 255));
  objects_.push_back(o);
}

void synthetic_scene::draw(cv::Mat& image, const object& o) {
  switch (o.kind) {
    case car: draw_car(image, o); break;
    case bike: draw_bike(image, o); break;
    default: draw_person(image, o); break;
  }
}

// A body as wide as the box, a narrower cabin up to its top and two dark wheels down to
// its bottom: the box is tight.
void synthetic_scene::draw_car(cv::Mat& image, const object& o) {
  double x = o.position.x, y = o.position.y, w = o.size.width, h = o.size.height;
  double r = 0.16 * h;
  cv::rectangle(image, cv::Point(cvRound(x), cvRound(y + 0.38 * h)), cv::Point(cvRound(x + w), cvRound(y + h - r)),
                o.color, cv::FILLED);
  cv::rectangle(image, cv::Point(cvRound(x + 0.2 * w), cvRound(y)), cv::Point(cvRound(x + 0.75 * w), cvRound(y + 0.4 * h)),
                o.color * 0.75, cv::FILLED);
  for (double cx : {x + 0.22 * w, x + 0.78 * w})
    cv::circle(image, cv::Point(cvRound(cx), cvRound(y + h - r)), cvRound(r), cv::Scalar(30, 30, 30), cv::FILLED);
}

// Two wheels touching the bottom and the sides, a frame between them and a handlebar
// up to the top of the box.
void synthetic_scene::draw_bike(cv::Mat& image, const object& o) {
  double x = o.position.x, y = o.position.y, w = o.size.width, h = o.size.height;
  double r = std::min(0.25 * w, 0.4 * h);
  int thick = std::max(2, cvRound(w / 14));
  cv::Point rear(cvRound(x + r), cvRound(y + h - r)), front(cvRound(x + w - r), cvRound(y + h - r));
  cv::Point seat(cvRound(x + 0.4 * w), cvRound(y + 0.3 * h)), bar(cvRound(x + w - r), cvRound(y + thick / 2.0));
  for (auto& c : {rear, front})
    cv::circle(image, c, std::max(1, cvRound(r - thick / 2.0)), cv::Scalar(25, 25, 25), thick);
  cv::line(image, rear, seat, o.color, thick);
  cv::line(image, seat, front, o.color, thick);
  cv::line(image, rear, front, o.color, thick);
  cv::line(image, front, bar, o.color, thick);
}

// A body (ellipse, lower 80%) and a head (circle at the top) that fill the box's
// width and height exactly, so the ground truth box is tight.
void synthetic_scene::draw_person(cv::Mat& image, const object& o) {
  double w = o.size.width, h = o.size.height;
  cv::Point body(cvRound(o.position.x + w / 2), cvRound(o.position.y + h * 0.6));
  cv::ellipse(image, body, cv::Size(cvRound(w / 2), cvRound(h * 0.4)), 0, 0, 360, o.color,
              cv::FILLED);
  cv::circle(image, {body.x, cvRound(o.position.y + w * 0.3)}, cvRound(w * 0.3), o.color * 0.8,
             cv::FILLED);
}

synthetic_frame synthetic_scene::next() {
  synthetic_frame f;
  f.index = index_++;
  f.time_s = f.index / config_.fps;
  double dt = 1.0 / config_.fps;
  // Poisson arrivals: exponential gaps at the rate in force when each is drawn.
  while (next_arrival_s_ <= f.time_s) {
    double rate = arrival_rate(next_arrival_s_);
    if (rate > 0)
      spawn_object();
    double gap = rate > 0 ? -std::log(1.0 - uniform()) / rate : dt;
    next_arrival_s_ += gap;
  }
  f.image = ground_.clone();
  cv::Rect2d view(0, 0, config_.width, config_.height);
  std::vector<object> still_here;
  for (auto& o : objects_) {
    cv::Rect2d box(o.position, o.size);
    cv::Rect2d visible = box & view;
    draw(f.image, o);
    if (visible.area() >= config_.min_visible * box.area())
      f.truth.push_back({cv::Rect2f(visible), o.kind, 1.0f});
    o.position += o.velocity * dt;
    bool gone = o.velocity.x > 0 ? o.position.x > config_.width
              : o.velocity.x < 0 ? o.position.x + o.size.width < 0 : false;
    gone = gone || (o.velocity.y > 0 ? o.position.y > config_.height
                  : o.velocity.y < 0 ? o.position.y + o.size.height < 0 : false);
    if (!gone)
      still_here.push_back(o);
  }
  objects_.swap(still_here);
  if (noise_)
    add_sensor_noise(f.image);
  return f;
}

void synthetic_scene::add_sensor_noise(cv::Mat& image) {
  uint64_t draw = engine_();  // one draw a frame, as the scene always took
  cv::Rect window(int((draw & 0xffffffff) % uint64_t(image.cols + 1)), int((draw >> 32) % uint64_t(image.rows + 1)),
                  image.cols, image.rows);
  cv::add(image, noise_->up(window), image);
  cv::subtract(image, noise_->down(window), image);
}

}  // namespace troupe::vision
