#include "vision/street_scene.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace troupe::vision {

namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double camera_height_m = 1.35;
constexpr double lane_m = 3.5;
constexpr double nearest_m = 0.8;  // nothing nearer is drawn

// A layout: what lines the road, how busy and how fast it is.
enum class layout { urban, highway, rural };

struct lighting {
  double brightness = 1;
  double visibility_m = 600;  // haze; fog brings it down
  double noise = 1;           // × the sensor noise
  double night = 0;           // 0 day … 1 night: headlights, lamps, lit windows
};

layout layout_of(street_type t) {
  switch (t) {
    case street_type::highway:
    case street_type::fog: return layout::highway;
    case street_type::rural: return layout::rural;
    default: return layout::urban;
  }
}

lighting lighting_of(street_type t) {
  switch (t) {
    case street_type::night: return {0.28, 500, 3, 1};
    case street_type::fog: return {0.95, 38, 1.2, 0};
    case street_type::rural: return {1.08, 700, 1, 0};
    default: return {1, 600, 1, 0};
  }
}

// Metres per second the traffic of a layout keeps; the ego a little under it.
double cruise_of(layout l) { return l == layout::highway ? 27 : l == layout::rural ? 17 : 10; }

double lerp(double a, double b, double w) { return a + (b - a) * w; }

uint64_t mix64(uint64_t x) {  // splitmix64's finaliser: a hash for stateless noise
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A tileable noise texture: white noise blurred by sigma, zero mean, unit spread.
cv::Mat noise_texture(std::mt19937_64& engine, int size, double sigma) {
  cv::Mat white(size, size, CV_32F);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      white.at<float>(y, x) = static_cast<float>(static_cast<double>(engine() >> 11) * 0x1.0p-53 - 0.5);
  cv::Mat tiled, blurred;
  cv::repeat(white, 3, 3, tiled);  // blur across the seams so that the texture wraps
  cv::GaussianBlur(tiled, blurred, cv::Size(), sigma);
  cv::Mat t = blurred(cv::Rect(size, size, size, size)).clone();
  cv::Scalar mean, spread;
  cv::meanStdDev(t, mean, spread);
  t = (t - mean[0]) / std::max(1e-6, spread[0]);
  return t;
}

struct bgr {
  double b = 0, g = 0, r = 0;
  bgr operator*(double k) const { return {b * k, g * k, r * k}; }
  bgr operator+(const bgr& o) const { return {b + o.b, g + o.g, r + o.r}; }
};

bgr mixed(const bgr& a, const bgr& b, double w) { return a * (1 - w) + b * w; }

}  // namespace

const std::vector<std::string>& street_class_names() {
  static const std::vector<std::string> names = {"road", "sidewalk", "building", "vegetation",
                                                 "sky",  "car",      "person",   "pole"};
  return names;
}

const char* street_type_name(street_type t) {
  switch (t) {
    case street_type::urban: return "urban";
    case street_type::highway: return "highway";
    case street_type::rural: return "rural";
    case street_type::night: return "night";
    case street_type::fog: return "fog";
  }
  return "?";
}

// The drive: its stretches, the ego's path, the facades and the things on the road.
struct street_scene::world {
  struct stretch {
    double t0, t1;  // seconds
    double z0, z1;  // where the ego is at t0 and t1, metres along the road
    street_type type;
    layout lay;
    double road_half, sidewalk;  // metres from the road's centre
    double detail;               // how rough its surfaces are, × texture_gain
  };
  struct facade {  // a building or a tree line along one side, facing the road
    double z0, z1, setback;
    int side;  // −1 left, +1 right
    double top;
    bool trees;
    bgr color;
    double window_dx, window_dy;
    uint64_t id;
    double detail;
  };
  enum class thing_kind { car, person, pole };
  struct thing {
    thing_kind kind;
    double lateral;  // metres from the road's centre
    double z0, speed;
    double width, height;
    bgr color, second;
    bool facing;  // a car seen from the front (oncoming)
    int side;
    uint64_t id;
    double arm = 0;  // a pole's lamp arm over the road, metres
    // A lead car keeps ahead of the ego in its lane, stopping when it stops: gap
    // metres, breathing by `sway` over `period` s, from t0 to t1.
    double gap = 0, sway = 0, period = 1, t0 = 0, t1 = 0;
  };

  street_config c;
  double focal, cx, horizon;
  std::mt19937_64 engine;
  cv::Mat fine, mid, coarse;
  std::vector<stretch> stretches;
  std::vector<double> ego_z;  // per frame
  std::vector<facade> facades;
  std::vector<thing> things;
  double curve_amplitude, curve_wavelength, curve_phase;
  double sensor;  // this camera's noise, × sensor_noise

  explicit world(const street_config& config) : c(config), engine(config.seed) {
    focal = 0.75 * c.width;
    cx = c.width / 2.0;
    horizon = 0.42 * c.height;
    fine = noise_texture(engine, 256, 0.7);
    mid = noise_texture(engine, 256, 2.5);
    coarse = noise_texture(engine, 256, 9);
    curve_amplitude = uniform(2, 6);
    curve_wavelength = uniform(250, 500);
    curve_phase = uniform(0, 2 * pi);
    sensor = uniform(0.5, 1.6);
    plan_stretches();
    plan_ego();
    for (auto& s : stretches)
      furnish(s);
  }

  double uniform() { return static_cast<double>(engine() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  bool chance(double p) { return uniform() < p; }

  void plan_stretches() {
    double t = 0;
    int last = -1;
    while (t < c.duration_s) {
      int type;
      do
        type = static_cast<int>(uniform() * 5);
      while (type == last);
      last = type;
      double d = uniform(c.stretch_min_s, c.stretch_max_s);
      auto st = static_cast<street_type>(type);
      auto lay = layout_of(st);
      double lanes = lay == layout::highway ? 2 : 1;
      double parking = lay == layout::urban ? 2.2 : 0;
      double shoulder = lay == layout::highway ? 2.5 : lay == layout::rural ? 0.4 : 0;
      stretches.push_back({t, std::min(c.duration_s, t + d), 0, 0, st, lay, lanes * lane_m + parking + shoulder,
                           lay == layout::urban ? uniform(3, 5) : 0, uniform(0.4, 1.6)});
      t += d;
    }
  }

  // Speeds per layout, with stops in town; acceleration bounded.
  void plan_ego() {
    size_t n = static_cast<size_t>(std::llround(c.duration_s * c.fps));
    double z = 0, v = 0, dt = 1 / c.fps;
    size_t k = 0;
    double target = 0, stop_at = -1, stop_until = -1;
    for (size_t f = 0; f < n; ++f) {
      double t = f * dt;
      while (k + 1 < stretches.size() && t >= stretches[k + 1].t0)
        ++k;
      auto& s = stretches[k];
      if (f == 0 || (k > 0 && t - dt < s.t0)) {
        s.z0 = z;
        target = cruise_of(s.lay) * uniform(0.8, 1.0);
        stop_at = s.lay == layout::urban && chance(0.6) ? uniform(s.t0, s.t1) : -1;
        stop_until = stop_at + uniform(2, 5);
      }
      double want = t >= stop_at && t < stop_until ? 0 : target;
      v = want > v ? std::min(want, v + 2.5 * dt) : std::max(want, v - 4.0 * dt);
      if (f == 0)
        v = target;
      ego_z.push_back(z);
      z += v * dt;
    }
    for (size_t i = 0; i < stretches.size(); ++i)
      stretches[i].z1 = i + 1 < stretches.size() ? stretches[i + 1].z0 : z + 400;
  }

  const stretch& stretch_at(double z) const {
    for (size_t i = stretches.size(); i-- > 1;)
      if (z >= stretches[i].z0)
        return stretches[i];
    return stretches[0];
  }

  double road_centre(double z) const { return curve_amplitude * std::sin(2 * pi * z / curve_wavelength + curve_phase); }

  // The facades, poles, cars and people of a stretch (the last one's run 400 m past the
  // drive's end, as far as the camera sees).
  void furnish(const stretch& s) {
    double z_end = s.z1;
    for (int side : {-1, 1})
      line_side(s, side, z_end);
    double pole_every = s.lay == layout::urban ? 25 : s.lay == layout::highway ? 40 : 50;
    for (int side : {-1, 1}) {
      if (s.lay != layout::urban && side < 0)
        continue;
      for (double z = s.z0 + uniform(0, pole_every); z < z_end; z += pole_every)
        things.push_back({thing_kind::pole, side * (s.road_half + (s.lay == layout::urban ? 0.4 : 1.5)), z, 0, 0.22,
                          s.lay == layout::rural ? 7.5 : 8.5, {60, 62, 66}, {}, false, side, engine(),
                          s.lay == layout::rural ? 0 : 1.6});
    }
    traffic(s, z_end);
    if (s.lay == layout::urban)
      pedestrians(s, z_end);
  }

  void line_side(const stretch& s, int side, double z_end) {
    static const std::array<bgr, 6> palette = {
        bgr{150, 175, 200}, bgr{130, 130, 135}, bgr{70, 85, 150}, bgr{210, 210, 205}, bgr{140, 110, 90}, bgr{95, 125, 160}};
    double z = s.z0 - (s.z0 == 0 ? 10 : 0);
    while (z < z_end) {
      facade f{};
      f.side = side;
      f.id = engine();
      f.detail = s.detail;
      if (s.lay == layout::urban) {
        z += chance(0.3) ? uniform(2, 8) : 0.3;
        f.z0 = z;
        f.z1 = z + uniform(10, 30);
        f.setback = s.road_half + s.sidewalk + uniform(0.2, 2);
        f.top = uniform(8, 32);
        f.color = palette[static_cast<size_t>(uniform() * palette.size())] * uniform(0.85, 1.1);
        f.window_dx = uniform(2.4, 4);
        f.window_dy = uniform(3, 3.6);
      } else {
        bool highway = s.lay == layout::highway;
        z += highway ? uniform(5, 60) : (chance(0.4) ? uniform(5, 40) : uniform(0, 3));
        f.z0 = z;
        f.z1 = z + (highway ? uniform(20, 80) : uniform(5, 15));
        f.setback = s.road_half + (highway ? uniform(6, 14) : uniform(2, 12));
        f.top = highway ? uniform(4, 9) : uniform(6, 12);
        f.trees = true;
        f.color = bgr{45, 105, 55} * uniform(0.75, 1.15);
      }
      facades.push_back(f);
      z = f.z1;
    }
  }

  void traffic(const stretch& s, double z_end) {
    static const std::array<bgr, 7> paint = {bgr{30, 30, 30},   bgr{220, 220, 225}, bgr{40, 40, 170}, bgr{150, 90, 40},
                                             bgr{160, 160, 165}, bgr{60, 110, 50},  bgr{40, 160, 200}};
    double lanes = s.lay == layout::highway ? 2 : 1;
    double per_100m = s.lay == layout::urban ? 3 : s.lay == layout::highway ? 2.2 : 0.7;
    double length = z_end - s.z0 + 150;
    auto car = [&](double lateral, double z, double speed, bool facing) {  // at z when the stretch begins
      bgr body = paint[static_cast<size_t>(uniform() * paint.size())] * uniform(0.85, 1.15);
      things.push_back({thing_kind::car, lateral, z - speed * s.t0, speed, uniform(1.7, 2.0), uniform(1.4, 1.7), body,
                        {}, facing, lateral < 0 ? -1 : 1, engine()});
    };
    double cruise = cruise_of(s.lay);
    for (double lane = 0; lane < lanes; ++lane) {
      double lateral = (lane + 0.5) * lane_m;
      bool ego_lane = lane + 1 == lanes;  // its only car is the lead car
      int n = static_cast<int>(length / 100 * per_100m + uniform());
      for (int i = 0; i < n; ++i) {
        if (!ego_lane)
          car(lateral, s.z0 + uniform(10, length), cruise * uniform(0.75, 1.15), false);
        car(-lateral, s.z0 + uniform(0, length + cruise * (s.t1 - s.t0) * 2), -cruise * uniform(0.8, 1.2), true);
      }
    }
    if (chance(0.7)) {
      car(lanes * lane_m - lane_m / 2, 0, 0, false);
      auto& lead = things.back();
      lead.gap = uniform(8, 45);
      lead.sway = uniform(0, 0.4) * lead.gap;
      lead.period = uniform(6, 20);
      lead.t0 = s.t0;
      lead.t1 = s.t1;
    }
    if (s.lay == layout::urban)
      for (int side : {-1, 1})
        for (double z = s.z0 + uniform(0, 15); z < z_end; z += uniform(6, 30))
          car(side * (lane_m + 1.1), z, 0, side < 0);
  }

  void pedestrians(const stretch& s, double z_end) {
    for (int side : {-1, 1})
      for (double z = s.z0 + uniform(0, 10); z < z_end; z += uniform(4, 20)) {
        double speed = chance(0.3) ? 0 : (chance(0.5) ? 1 : -1) * uniform(0.8, 1.6);
        bgr shirt{uniform(20, 230), uniform(20, 230), uniform(20, 230)};
        bgr trousers = bgr{60, 50, 45} * uniform(0.6, 1.6);
        things.push_back({thing_kind::person, side * (s.road_half + uniform(0.5, s.sidewalk - 0.5)), z - speed * s.t0, speed,
                          uniform(0.45, 0.6), uniform(1.55, 1.9), shirt, trousers, false, side, engine()});
      }
  }

  // Where a thing is at frame f, if it is there at all: a lead car only in its stretch,
  // cars in a highway's outer lanes only on a highway, people only in town.
  std::optional<double> position(const thing& th, size_t f, double t) const {
    if (th.gap > 0) {
      if (t < th.t0 || t >= th.t1)
        return std::nullopt;
      return ego_z[f] + th.gap + th.sway * std::sin(2 * pi * t / th.period);
    }
    double at = th.z0 + th.speed * t;
    if (th.kind == thing_kind::person && stretch_at(at).lay != layout::urban)
      return std::nullopt;
    if (th.kind == thing_kind::car && th.speed != 0 && std::abs(th.lateral) > lane_m && stretch_at(at).lay != layout::highway)
      return std::nullopt;
    return at;
  }

  lighting light_at(double t) const {
    size_t k = 0;
    while (k + 1 < stretches.size() && t >= stretches[k + 1].t0)
      ++k;
    auto now = lighting_of(stretches[k].type);
    double ramp = k > 0 ? (t - stretches[k].t0) / 1.5 : 1;  // light changes over 1.5 s
    if (ramp >= 1)
      return now;
    auto before = lighting_of(stretches[k - 1].type);
    return {lerp(before.brightness, now.brightness, ramp), std::exp(lerp(std::log(before.visibility_m),
                                                                          std::log(now.visibility_m), ramp)),
            lerp(before.noise, now.noise, ramp), lerp(before.night, now.night, ramp)};
  }

  // A tree line's top at z: a crown every few metres, ragged.
  double crown(const facade& f, double z) const {
    double width = 3 + static_cast<double>(f.id % 4);
    double bump = std::sqrt(std::abs(std::sin(pi * (z - f.z0) / width)));
    return f.top * (0.65 + 0.35 * bump) + 0.8 * texture(z, static_cast<double>(f.id % 97), 1, 2);
  }

  // Texture at metres (a, b) on a surface seen at distance z: fine grain fades with
  // distance before it would alias.
  double texture(double a, double b, double z, double grain) const {
    auto at = [](const cv::Mat& t, double u, double v) {  // bilinear, wrapping
      double fu = std::floor(u), fv = std::floor(v);
      int x = static_cast<int>(fu) & 255, y = static_cast<int>(fv) & 255;
      int x1 = (x + 1) & 255, y1 = (y + 1) & 255;
      double a = u - fu, b = v - fv;
      auto p = [&](int yy, int xx) { return static_cast<double>(t.at<float>(yy, xx)); };
      return (p(y, x) * (1 - a) + p(y, x1) * a) * (1 - b) + (p(y1, x) * (1 - a) + p(y1, x1) * a) * b;
    };
    double footprint = z * grain / focal;  // texels of the fine grain per pixel
    double w_fine = 1 / (1 + footprint * footprint);
    return w_fine * at(fine, a * grain, b * grain) + 0.7 * at(mid, a * grain / 5, b * grain / 5) +
           0.5 * at(coarse, a * 1.3, b * 1.3);
  }
};

street_scene::street_scene(street_config config) : config_(std::move(config)) {
  auto& c = config_;
  if (c.width < 32 || c.height < 32 || c.width % 2 || c.height % 2)
    throw std::invalid_argument("a street scene needs even sides of at least 32 pixels, not " + std::to_string(c.width) +
                                "x" + std::to_string(c.height));
  if (!(c.fps > 0) || !(c.duration_s > 0) || !(c.stretch_min_s > 0) || c.stretch_max_s < c.stretch_min_s)
    throw std::invalid_argument("a street scene needs a positive rate, duration and stretch length");
  if (c.texture_gain < 0 || c.sensor_noise < 0)
    throw std::invalid_argument("a street scene's texture gain and sensor noise must not be negative");
  world_ = std::make_unique<world>(c);
}

street_scene::~street_scene() = default;
street_scene::street_scene(street_scene&&) noexcept = default;

size_t street_scene::frames() const { return world_->ego_z.size(); }
bool street_scene::done() const { return index_ >= frames(); }

street_frame street_scene::next() {
  if (done())
    throw std::logic_error("the street scene's drive has ended");
  auto& w = *world_;
  const auto& c = config_;
  double t = index_ / c.fps;
  double ego_z = w.ego_z[index_];
  double ego_u = w.road_centre(ego_z) + lane_m / 2 + (w.stretch_at(ego_z).lay == layout::highway ? lane_m : 0);
  double dz = 0.5;
  double heading = (w.road_centre(ego_z + dz) - w.road_centre(ego_z - dz)) / (2 * dz);
  auto light = w.light_at(t);
  double gain = c.texture_gain;

  street_frame out;
  out.index = index_;
  out.time_s = t;
  out.type = w.stretches[0].type;
  for (auto& s : w.stretches)
    if (t >= s.t0)
      out.type = s.type;
  cv::Mat color(c.height, c.width, CV_64FC3);
  cv::Mat depth(c.height, c.width, CV_64F, cv::Scalar(1e9));
  out.labels = cv::Mat(c.height, c.width, CV_8U, cv::Scalar(sky));

  // The facades in view this frame (the drive holds thousands), each with its face's
  // lateral offset from the ego; then those each column's ray meets, nearest first.
  struct in_view {
    const world::facade* f;
    double face;
  };
  std::vector<in_view> near;
  for (auto& f : w.facades)
    if (f.z1 >= ego_z && f.z0 <= ego_z + 600)
      near.push_back({&f, w.road_centre((f.z0 + f.z1) / 2) + f.side * f.setback - ego_u});
  struct hit {
    double z;
    const world::facade* f;
    double top;
  };
  std::vector<hit> hits;
  const bgr sky_top{235, 190, 140}, sky_low{245, 225, 205};
  for (int x = 0; x < c.width; ++x) {
    double slope = (x - w.cx) / w.focal + heading;  // lateral metres per metre ahead
    hits.clear();
    for (auto& [fp, face] : near) {
      auto& f = *fp;
      if ((slope < 0) != (f.side < 0))
        continue;
      double z = face / slope;
      if (z > nearest_m && ego_z + z >= f.z0 && ego_z + z < f.z1)
        hits.push_back({z, &f, f.trees ? w.crown(f, ego_z + z) : f.top});
    }
    std::sort(hits.begin(), hits.end(), [](auto& a, auto& b) { return a.z < b.z; });

    for (int y = 0; y < c.height; ++y) {
      double dy = (y - w.horizon) / w.focal;
      double ground_z = dy > 1e-9 ? camera_height_m / dy : 1e9;
      bgr px;
      double z = 1e9;
      uint8_t label = sky;
      const hit* wall = nullptr;
      for (auto& h : hits) {
        if (h.z >= ground_z)
          break;
        if (camera_height_m - dy * h.z <= h.top) {
          wall = &h;
          break;
        }
      }
      if (wall) {
        z = wall->z;
        double along = ego_z + z, up = camera_height_m - dy * z;
        auto& f = *wall->f;
        double grain = w.texture(along, up, z, 8) * gain * f.detail;
        if (f.trees) {
          label = vegetation;
          px = f.color * (1 + 0.28 * grain);
        } else {
          label = building;
          double wx = std::fmod(along - f.z0, f.window_dx) / f.window_dx, wy = std::fmod(up, f.window_dy) / f.window_dy;
          bool window = up > 3.6 && wx > 0.25 && wx < 0.75 && wy > 0.3 && wy < 0.75;
          bool lit = window && light.night > 0 && (mix64(f.id ^ static_cast<uint64_t>(along / f.window_dx) * 131 ^
                                                         static_cast<uint64_t>(up / f.window_dy)) % 100) < 35;
          if (up < 3.4)
            px = f.color * 0.55 * (1 + 0.1 * grain);  // shop fronts
          else if (window)
            px = bgr{110, 95, 80} * (1 + 0.08 * grain);
          else
            px = f.color * (1 + 0.09 * grain);
          if (lit)
            px = bgr{140, 210, 250} * (1 / std::max(0.05, light.brightness));
        }
      } else if (ground_z < 1e8) {
        z = ground_z;
        double along = ego_z + z;
        auto& s = w.stretch_at(along);
        double u = ego_u + slope * z - w.road_centre(along);  // lateral from the road's centre
        double au = std::abs(u);
        double grain = w.texture(u, along, z, 40) * gain * s.detail;
        if (au < s.road_half) {
          label = road;
          px = bgr{98, 98, 102} * (1 + 0.09 * grain);
          double lanes = s.lay == layout::highway ? 2 : 1;
          bool dashes = std::fmod(along, 9) < 3;
          bool centre = au < 0.08 && (s.lay != layout::urban || dashes);
          bool between = lanes > 1 && std::abs(au - lane_m) < 0.08 && dashes;
          bool edge = s.lay != layout::urban && std::abs(au - (lanes * lane_m + 0.1)) < 0.08;
          if (centre || between || edge)
            px = bgr{215, 218, 220} * (1 + 0.04 * grain);
        } else if (au < s.road_half + s.sidewalk) {
          label = sidewalk;
          double tu = std::fmod(au, 0.6), tz = std::fmod(along, 0.6);
          bool grout = tu < 0.03 || tz < 0.03;
          bool curb = au < s.road_half + 0.2;
          px = (curb ? bgr{175, 178, 180} : bgr{148, 150, 152}) * (grout ? 0.8 : 1) * (1 + 0.07 * grain);
        } else {
          label = s.lay == layout::urban ? sidewalk : vegetation;
          px = s.lay == layout::urban ? bgr{140, 142, 145} * (1 + 0.07 * grain) : bgr{60, 125, 80} * (1 + 0.25 * grain);
        }
        if (light.night > 0) {  // headlights on the road ahead
          double beam = std::exp(-z / 18) * std::exp(-std::pow((u - (ego_u - w.road_centre(along))) / (1.5 + 0.12 * z), 2));
          px = px * (1 + light.night * 2.2 * beam / std::max(0.05, light.brightness));
        }
      } else {
        double up = std::clamp(-dy * 2.2, 0.0, 1.0);
        px = mixed(sky_low, sky_top, up);
        double cloud = w.texture(x * 0.05 + t * 0.3, y * 0.08, 1e9, 1);
        px = mixed(px, bgr{248, 248, 250}, std::clamp(0.5 + 0.4 * cloud, 0.0, 1.0) * 0.6);
        if (light.night > 0)
          px = mixed(px, bgr{40, 25, 20} * (1 / std::max(0.05, light.brightness)), light.night);
      }
      color.at<cv::Vec3d>(y, x) = {px.b, px.g, px.r};
      depth.at<double>(y, x) = z;
      out.labels.at<uint8_t>(y, x) = label;
    }
  }

  // Poles, cars and people as upright boards, far to near, each pixel kept only where
  // the board is nearer than what is there.
  struct placed {
    const world::thing* th;
    double z, lateral;
  };
  std::vector<placed> visible;
  for (auto& th : w.things) {
    auto at = w.position(th, index_, t);
    double z = at ? *at - ego_z : -1;
    if (z > nearest_m && z < 400)
      visible.push_back({&th, z, w.road_centre(*at) + th.lateral - ego_u});
  }
  std::sort(visible.begin(), visible.end(), [](auto& a, auto& b) { return a.z > b.z; });
  for (auto& v : visible) {
    auto& th = *v.th;
    double left = v.lateral - th.width / 2, right = v.lateral + th.width / 2;
    double arm = th.arm;
    if (th.side > 0)
      left -= arm;
    else
      right += arm;
    int x0 = std::max(0, static_cast<int>(std::floor(w.cx + w.focal * (left / v.z - heading))));
    int x1 = std::min(c.width - 1, static_cast<int>(std::ceil(w.cx + w.focal * (right / v.z - heading))));
    int y0 = std::max(0, static_cast<int>(std::floor(w.horizon + w.focal * (camera_height_m - th.height) / v.z)));
    int y1 = std::min(c.height - 1, static_cast<int>(std::ceil(w.horizon + w.focal * camera_height_m / v.z)));
    double phase = t * 2 * pi * 1.8 + static_cast<double>(th.id % 1000);
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x) {
        if (depth.at<double>(y, x) <= v.z)
          continue;
        double lx = ((x - w.cx) / w.focal + heading) * v.z - (v.lateral - th.width / 2);  // metres from its left
        double up = camera_height_m - (y - w.horizon) / w.focal * v.z;
        double fx = lx / th.width, fy = up / th.height;
        bgr px;
        uint8_t label;
        if (th.kind == world::thing_kind::pole) {
          bool mast = fx >= 0 && fx <= 1 && up >= 0 && up <= th.height;
          bool lamp = arm > 0 && up >= th.height - 0.35 && up <= th.height - 0.15 &&
                      (th.side > 0 ? lx >= -arm && lx <= 0 : lx >= th.width && lx <= th.width + arm);
          if (!mast && !lamp)
            continue;
          label = pole;
          px = th.color * (0.8 + 0.4 * fx);
          if (lamp && light.night > 0 && up < th.height - 0.28)
            px = bgr{200, 240, 255} * (1 / std::max(0.05, light.brightness));
        } else if (th.kind == world::thing_kind::car) {
          if (fx < 0 || fx > 1 || fy < 0 || fy > 1)
            continue;
          bool wheel = fy < 0.22 && (fx < 0.2 || fx > 0.8);
          bool body = fy >= 0.15 && fy < 0.62;
          bool cabin = fy >= 0.62 && fx > 0.1 && fx < 0.9;
          if (!wheel && !body && !cabin)
            continue;
          label = car_body;
          px = wheel ? bgr{25, 25, 25} : body ? th.color : th.color * 0.9;
          if (cabin && fy > 0.66 && fy < 0.95 && fx > 0.15 && fx < 0.85)
            px = bgr{70, 60, 55};  // glass
          bool lamp = fy > 0.45 && fy < 0.55 && (fx < 0.16 || fx > 0.84);
          if (lamp)
            px = (th.facing ? bgr{220, 240, 250} : bgr{30, 30, 200}) *
                 (light.night > 0 ? 1 / std::max(0.05, light.brightness) : 1);
        } else {
          double swing = 0.12 * std::sin(phase) * (th.speed != 0);
          bool head = std::hypot((fx - 0.5) * th.width, up - th.height * 0.93) < th.height * 0.07;
          bool torso = fy >= 0.5 && fy < 0.85 && fx > 0.1 && fx < 0.9;
          bool legs = fy < 0.5 && ((std::abs(fx - 0.32 - swing * (1 - fy * 2)) < 0.14) ||
                                   (std::abs(fx - 0.68 + swing * (1 - fy * 2)) < 0.14));
          if (!head && !torso && !legs)
            continue;
          label = person_body;
          px = head ? bgr{120, 150, 190} : torso ? th.color : th.second;
        }
        double grain = w.texture(lx + th.id % 64, up, v.z, 20) * gain;
        px = px * (1 + 0.06 * grain);
        color.at<cv::Vec3d>(y, x) = {px.b, px.g, px.r};
        depth.at<double>(y, x) = v.z;
        out.labels.at<uint8_t>(y, x) = label;
      }
  }

  // Light, haze or fog, the hood, and the sensor's noise.
  out.image = cv::Mat(c.height, c.width, CV_8UC3);
  const bgr fog{200, 200, 198};
  double noise = c.sensor_noise * w.sensor * light.noise;
  for (int y = 0; y < c.height; ++y) {
    auto* colors = color.ptr<cv::Vec3d>(y);
    auto* depths = depth.ptr<double>(y);
    auto* labels = out.labels.ptr<uint8_t>(y);
    auto* pixels = out.image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < c.width; ++x) {
      auto& v = colors[x];
      bgr px{v[0], v[1], v[2]};
      double z = depths[x];
      px = px * light.brightness;
      double clear = std::exp(-(z < 1e8 ? z : 150.0) / light.visibility_m);  // the sky as if 150 m off: blue by day, grey in fog
      px = mixed(fog * (light.night > 0 ? lerp(1, 0.25, light.night) : 1), px, clear);
      double dxn = (x - w.cx) / w.cx;
      if (y > c.height * (0.9 + 0.05 * dxn * dxn)) {
        labels[x] = street_ignore;
        px = bgr{38, 36, 34} * (1 + 0.5 * std::exp(-std::pow((y - c.height * 0.93) / (c.height * 0.02), 2))) *
             std::max(0.3, light.brightness);
      }
      uint64_t h = mix64(c.seed ^ (index_ * 0x9e3779b97f4a7c15ull) ^ (static_cast<uint64_t>(y) << 20) ^ static_cast<uint64_t>(x));
      auto tri = [&](int shift) {  // triangular noise in [−1, 1] from two bytes
        return (static_cast<double>((h >> shift) & 0xff) + static_cast<double>((h >> (shift + 8)) & 0xff)) / 255.0 - 1;
      };
      double n[3] = {tri(0), tri(16), tri(32)};
      auto& o = pixels[x];
      o[0] = cv::saturate_cast<uint8_t>(px.b + noise * 1.7 * n[0]);
      o[1] = cv::saturate_cast<uint8_t>(px.g + noise * 1.7 * n[1]);
      o[2] = cv::saturate_cast<uint8_t>(px.r + noise * 1.7 * n[2]);
    }
  }
  ++index_;
  return out;
}

}  // namespace troupe::vision
