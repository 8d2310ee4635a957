#include "actors/penance/cli/bench_penance.hpp"

#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "actors/common/cli/bench_support.hpp"
#include "actors/penance/core/adapter_state.hpp"
#include "actors/penance/core/baselines.hpp"
#include "actors/penance/core/dataset_stats.hpp"
#include "actors/penance/core/metrics.hpp"
#include "actors/penance/core/replay_world.hpp"
#include "actors/penance/core/segment_models.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "vision/segment_frames.hpp"

namespace troupe {

namespace {

using penance::replay_step;

// A method as the bench plays it: every segment of a drive at target A and bandwidth
// B (MB/s at 1280×720), and what it spends besides segmenting (profiling).
class replay_method {
 public:
  virtual ~replay_method() = default;
  virtual std::string name() const = 0;
  virtual std::vector<replay_step> play(size_t drive, double A, double B) = 0;
  virtual double overhead_macs(size_t) const { return 0; }
};

// Optimal and Periodic Profiling: eqs. 2–3 with what each may know.
class policy_method final : public replay_method {
 public:
  policy_method(std::string name, const penance::replay_world& w, std::unique_ptr<penance::config_policy> p)
      : name_(std::move(name)), w_(w), p_(std::move(p)) {}
  std::string name() const override { return name_; }
  std::vector<replay_step> play(size_t drive, double A, double B) override {
    auto& d = w_.at(drive);
    double bytes_per_s = w_.bytes_per_s(B);
    penance::segment_replay replay(w_.space(), w_.cost(), w_.timing(), d.truth,
                                   std::vector<double>(d.truth.size(), bytes_per_s));
    std::vector<replay_step> steps;
    while (!replay.done())
      steps.push_back(replay.step(p_->choose({&d.table, replay.segment(), A, bytes_per_s * w_.timing().segment_s})));
    return steps;
  }
  double overhead_macs(size_t drive) const override { return p_->overhead_macs(w_.at(drive).table); }

 private:
  std::string name_;
  const penance::replay_world& w_;
  std::unique_ptr<penance::config_policy> p_;
};

// What the device's networks say of every segment of a drive: the frozen estimator
// (state units, §3.2) and DAO-C's predictor (on the segment's first frame).
struct drive_estimates {
  std::vector<std::vector<float>> sizes, content;
  std::vector<std::vector<double>> accuracy;
};

// Penance and CASVA-C: the trained adapter's argmax on eq. 4's state, p from the
// performance encoder on the probabilities of the newest result back (Penance), or the
// size of an extra encode at the cheapest setting (CASVA-C).
class adapter_method final : public replay_method {
 public:
  adapter_method(const penance::replay_world& w, const std::vector<drive_estimates>& estimates,
                 std::shared_ptr<const penance::adapter_policy> adapter,
                 std::shared_ptr<const penance::performance_encoder> performance, double pixel_ratio)
      : w_(w), estimates_(estimates), adapter_(std::move(adapter)), performance_(std::move(performance)),
        pixel_ratio_(pixel_ratio) {
    for (size_t i = 0; performance_ && i < w_.size(); ++i)
      blobs_.push_back(std::make_unique<penance::softmax_blob>(w_.at(i).path, w_.at(i).table.key,
                                                               w_.at(i).table.segments.size()));
  }
  std::string name() const override { return adapter_->variant(); }

  std::vector<replay_step> play(size_t drive, double A, double B) override {
    auto& d = w_.at(drive);
    auto layout = adapter_->layout();
    penance::segment_replay replay(w_.space(), w_.cost(), w_.timing(), d.truth,
                                   std::vector<double>(d.truth.size(), w_.bytes_per_s(B)));
    size_t cheapest = penance::cheapest_setting(w_.space());
    std::vector<replay_step> steps;
    while (!replay.done()) {
      size_t i = replay.segment();
      auto seen = replay.latest();
      penance::adapter_state s;
      s.accuracy_target = A;
      s.bandwidth_mbps = B;
      s.bitrates_mb = estimates_[drive].sizes[i];
      s.performance.assign(layout.performance, 0.0f);
      if (!performance_)
        s.performance[0] = static_cast<float>(penance::state_mbps(d.truth[i].bytes[cheapest], w_.timing().segment_s,
                                                                   pixel_ratio_));
      else if (seen)
        s.performance = p_of(drive, *seen);
      if (seen)
        s.last_config = seen->config;
      s.content = estimates_[drive].content[i];
      steps.push_back(replay.step(adapter_->choose(penance::flatten(s, layout))));
    }
    return steps;
  }

 private:
  std::vector<float> p_of(size_t drive, const penance::feedback& f) const {
    auto c = w_.space().config_at(f.config);
    auto* plane = blobs_[drive]->at(f.segment, c.setting, static_cast<size_t>(c.model));
    return performance_->run(std::vector<uint8_t>(plane, plane + blobs_[drive]->plane()));
  }

  const penance::replay_world& w_;
  const std::vector<drive_estimates>& estimates_;
  std::shared_ptr<const penance::adapter_policy> adapter_;
  std::shared_ptr<const penance::performance_encoder> performance_;
  double pixel_ratio_;
  std::vector<std::unique_ptr<penance::softmax_blob>> blobs_;
};

// Every test drive's frames through the estimator, a segment at a time, and each
// segment's first frame through DAO-C's predictor when there is one.
std::vector<drive_estimates> estimate(const bench_penance_options& o, const penance::bitrate_estimator& e,
                                      const penance::accuracy_predictor* dao, const penance::replay_world& w) {
  std::vector<drive_estimates> out;
  size_t base = penance::costliest_setting(w.space());
  double ratio = penance::paper_pixel_ratio(o.data.width, o.data.height);
  cv::Size half(o.data.width / 2, o.data.height / 2);
  for (auto seed : o.data.drives.test_seeds()) {
    auto config = learning::drive_config(o.data);
    config.seed = seed;
    vision::street_scene drive(config);
    drive_estimates d;
    while (drive.frames() >= static_cast<size_t>(w.frames()) * (d.sizes.size() + 1)) {
      std::vector<cv::Mat> luma;
      for (int f = 0; f < w.frames(); ++f) {
        auto frame = drive.next();
        if (f == 0 && dao)
          d.accuracy.push_back(dao->run(frame.image));
        luma.push_back(vision::luma_at(frame.image, half));
      }
      auto est = e.run(luma, base);
      d.sizes.push_back(penance::state_sizes(est.bytes, o.data.segment_s, ratio));
      d.content.push_back(std::move(est.content));
    }
    auto& table = w.at(out.size());
    if (d.sizes.size() != table.truth.size())
      throw std::invalid_argument(table.path + " holds " + std::to_string(table.truth.size()) + " segments; drive " +
                                  std::to_string(seed) + " at these settings (--size, --drive-s) has " +
                                  std::to_string(d.sizes.size()));
    out.push_back(std::move(d));
  }
  return out;
}

// One operating point of one method over every test drive.
penance::method_metrics measure(replay_method& m, const penance::replay_world& w, double A, double B) {
  penance::metrics_accumulator acc(w.reference_macs(), w.frames());
  for (size_t d = 0; d < w.size(); ++d) {
    for (auto& s : m.play(d, A, B))
      acc.add(s, A);
    acc.add_overhead(m.overhead_macs(d));
  }
  return acc.result();
}

// The paper's Fig. 14 (A 0.65, averaged over B) and Fig. 15 (B 0.6) per method.
struct paper_point {
  double fail_pct;
  double macs_over_optimal;  // 0: not given
};
const std::map<std::string, paper_point> fig14 = {
    {"penance", {4.1, 1.068}}, {"periodic-profiling", {36.2, 1.367}}, {"dao-c", {34.4, 1.107}}, {"casva-c", {60.5, 0}}};

struct point {
  double A, B;
  std::map<std::string, penance::method_metrics> by_method;
};

std::string check(bool ok) { return ok ? "met" : "MISSED"; }

void print_points(const std::string& title, const std::vector<point>& points) {
  text_table t({"A", "B MB/s", "method", "fail %", "mIoU p10", "p25", "p50", "GMAC/seg", "x Optimal", "cut %", "stale %"});
  for (auto& p : points) {
    double optimal = p.by_method.at("optimal").gmacs_per_segment;
    for (auto& [name, m] : p.by_method)
      t.add({fixed(p.A, 2), fixed(p.B, 1), name, fixed(m.fail_pct), fixed(m.miou_p10, 3), fixed(m.miou_p25, 3),
             fixed(m.miou_p50, 3), fixed(m.gmacs_per_segment, 3),
             optimal > 0 ? fixed(m.gmacs_per_segment / optimal, 2) : "-", fixed(m.dropped_pct), fixed(m.stale_pct)});
  }
  log::result(title + "\n" + t.str());
}

// The pass bar (§5) on the points measured.
void print_verdicts(const std::vector<point>& fig14_points) {
  auto mean_of = [&](const std::string& method, auto figure) {
    double sum = 0;
    for (auto& p : fig14_points)
      sum += figure(p.by_method.at(method));
    return sum / static_cast<double>(fig14_points.size());
  };
  auto fail = [](const penance::method_metrics& m) { return m.fail_pct; };
  auto macs = [](const penance::method_metrics& m) { return m.gmacs_per_segment; };
  if (!fig14_points.front().by_method.count("penance"))
    return log::result("bench penance: no Penance adapter, no verdicts");
  double ours = mean_of("penance", fail), worst = 0;
  bool falling = true;
  for (size_t k = 0; k < fig14_points.size(); ++k) {
    worst = std::max(worst, fig14_points[k].by_method.at("penance").fail_pct);
    if (k > 0)
      falling = falling && macs(fig14_points[k].by_method.at("penance")) <=
                               macs(fig14_points[k - 1].by_method.at("penance")) * 1.001;
  }
  double over_optimal = mean_of("penance", macs) / mean_of("optimal", macs);
  std::string lines = fmt::format(
      "Fig. 14 verdicts (A 0.65, mean over B): Penance fail {:.1f} % (paper {:.1f}; bar <= 10 mean: {}, <= 15 every "
      "point: {}); its MACs {:.2f}x Optimal (paper {:.3f}; bar <= 1.15: {}); its MACs fall as B rises: {}",
      ours, fig14.at("penance").fail_pct, check(ours <= 10), check(worst <= 15), over_optimal,
      fig14.at("penance").macs_over_optimal, check(over_optimal <= 1.15), check(falling));
  double pp = mean_of("periodic-profiling", fail);
  lines += fmt::format("\nPeriodic Profiling fail {:.1f} % (paper {:.1f}; bar >= 2x Penance's: {})", pp,
                       fig14.at("periodic-profiling").fail_pct, check(pp >= 2 * ours));
  if (fig14_points.front().by_method.count("casva-c")) {
    double cf = mean_of("casva-c", fail), cm = mean_of("casva-c", macs) / mean_of("optimal", macs);
    lines += fmt::format("\nCASVA-C fail {:.1f} % (paper {:.1f}), MACs {:.2f}x Optimal; bar fail >= 2x Penance's or "
                         "MACs >= 1.3x Optimal: {}",
                         cf, fig14.at("casva-c").fail_pct, cm, check(cf >= 2 * ours || cm >= 1.3));
  }
  if (fig14_points.front().by_method.count("dao-c")) {
    double df = mean_of("dao-c", fail);
    lines += fmt::format("\nDAO-C fail {:.1f} % (paper {:.1f}; bar >= 2x Penance's: {})", df, fig14.at("dao-c").fail_pct,
                         check(df >= 2 * ours));
  }
  log::result(lines);
}

// The topology with its one segment-camera on drive `seed`, deciding with `adapter` at
// the live leg's A and B (its link to the segmenter carrying B at our pixels), and the
// segmenter's models and p from the bench's files.
topology live_topology(const topology& base, const bench_penance_options& o, uint64_t seed, const std::string& adapter) {
  auto t = base;
  auto cams = actors_of_kind(t, "segment-camera");
  auto servers = actors_of_kind(t, "segmenter");
  if (cams.size() != 1 || servers.size() != 1 || actors_of_kind(t, "segment-sink").size() != 1)
    throw std::invalid_argument(o.topology + ": the live leg needs one segment-camera, one segmenter, one segment-sink");
  auto& cam = *cams.front();
  set_param(cam, "seed", static_cast<int64_t>(seed));
  set_param(cam, "mode", std::string("adapter"));
  set_param(cam, "estimator", o.estimator);
  set_param(cam, "adapter", adapter);
  set_param(cam, "accuracy_target", o.live_target);
  set_param(cam, "bandwidth_mbytes", o.live_bandwidth);
  auto& server = *servers.front();
  bool linked = false;
  for (auto& l : t.links)
    if ((l.from == cam.node && l.to == server.node) || (l.from == server.node && l.to == cam.node)) {
      l.bandwidth_mbps = o.live_bandwidth * penance::paper_pixel_ratio(o.data.width, o.data.height) * 8;
      l.bandwidth_trace.clear();
      linked = true;
    }
  if (!linked)
    throw std::invalid_argument(o.topology + ": no link between " + cam.node + " and " + server.node);
  set_param(cam, "width", static_cast<int64_t>(o.data.width));
  set_param(cam, "duration_s", o.data.drives.drive_s);
  set_param(server, "models", o.data.models);
  set_param(server, "adapter", o.penance);
  return t;
}

struct live_figures {
  std::string method;
  spread fail_pct, gmacs, cut_pct;  // over the drives
  penance::method_metrics replay;   // the same drives, A 0.65, B 0.6
  double live_fail = 0, live_gmacs = 0;  // pooled over every segment of every drive
};

live_figures run_live(const bench_penance_options& o, const topology& base, const std::string& method,
                      const std::string& adapter, replay_method& replayed, const penance::replay_world& w) {
  live_figures f;
  f.method = method;
  f.replay = measure(replayed, w, o.live_target, o.live_bandwidth);
  std::vector<double> fails, gmacs, cuts;
  double failed = 0, macs = 0, segments = 0;
  double duration = o.live_duration_s > 0 ? o.live_duration_s : o.data.drives.drive_s + 5;
  for (auto seed : o.data.drives.test_seeds()) {
    auto prefix = o.out_dir + "/live-" + method + "-drive-" + std::to_string(seed);
    auto r = run_and_report(live_topology(base, o, seed, adapter), duration, prefix, o.resume);
    double n = r["segments"]["scored"].get<double>();
    if (n == 0)
      throw std::runtime_error(prefix + ".json: no segment was scored");
    fails.push_back(r["fail_pct"].get<double>());
    gmacs.push_back(r["gmacs_per_segment"].get<double>());
    cuts.push_back(r["dropped_pct"].get<double>());
    failed += fails.back() / 100 * n;
    macs += gmacs.back() * n;
    segments += n;
  }
  f.fail_pct = spread_of(fails);
  f.gmacs = spread_of(gmacs);
  f.cut_pct = spread_of(cuts);
  f.live_fail = 100 * failed / segments;
  f.live_gmacs = macs / segments;
  return f;
}

void print_live(const std::vector<live_figures>& live) {
  text_table t({"method", "live fail %", "per drive", "replay fail %", "live GMAC/seg", "replay", "cut % per drive",
                "fail within 3 points", "MACs within 5 %"});
  for (auto& f : live) {
    double macs_ratio = f.replay.gmacs_per_segment > 0 ? f.live_gmacs / f.replay.gmacs_per_segment : 0;
    t.add({f.method, fixed(f.live_fail), to_string(f.fail_pct, 1), fixed(f.replay.fail_pct), fixed(f.live_gmacs, 3),
           fixed(f.replay.gmacs_per_segment, 3), to_string(f.cut_pct, 1),
           check(std::abs(f.live_fail - f.replay.fail_pct) <= 3), check(std::abs(macs_ratio - 1) <= 0.05)});
  }
  log::result("Live (every test drive; per drive: median (min-max)) beside the replay at the same A and B\n" + t.str());
}

nlohmann::json to_json(const std::vector<point>& points) {
  auto j = nlohmann::json::array();
  for (auto& p : points)
    for (auto& [name, m] : p.by_method)
      j.push_back({{"A", p.A}, {"B_mbps", p.B}, {"method", name}, {"segments", m.segments}, {"fail_pct", m.fail_pct},
                   {"cut_pct", m.dropped_pct}, {"stale_pct", m.stale_pct},
                   {"miou", {{"p10", m.miou_p10}, {"p25", m.miou_p25}, {"p50", m.miou_p50}}},
                   {"gmacs_per_segment", m.gmacs_per_segment}});
  return j;
}

}  // namespace

int bench_penance_command(const bench_penance_options& o) {
  penance::config_space space(o.data.space);
  auto tables = learning::table_paths(o.data, o.data.drives.test_seeds());
  penance::world_settings ws{o.data.width, o.data.height, o.data.fps, o.data.segment_s, o.decide_s,
                             o.encode_ms_per_mp, o.server_macs_per_s};
  penance::replay_world world(space, tables, ws);
  spdlog::info("bench penance: {} test drives ({} segments each) from {}, built with the models {}", world.size(),
               world.at(0).truth.size(), o.data.folder, world.at(0).table.key.text().substr(0, 200));

  std::vector<std::unique_ptr<replay_method>> methods;
  methods.push_back(std::make_unique<policy_method>("optimal", world, penance::optimal_policy(space, world.cost())));
  methods.push_back(std::make_unique<policy_method>("periodic-profiling", world,
                                                    penance::periodic_profiling_policy(space, world.cost())));
  auto estimator = penance::load_estimator(o.estimator);
  std::shared_ptr<const penance::accuracy_predictor> dao;
  if (!o.dao.empty() && std::filesystem::exists(o.dao))
    dao = penance::load_accuracy_predictor(o.dao);
  else
    spdlog::warn("bench penance: no DAO-C predictor at '{}' (troupe train-penance --stage dao); it is left out", o.dao);
  if (dao && dao->configs() != space.configs())
    throw std::invalid_argument(o.dao + " predicts " + std::to_string(dao->configs()) + " configurations, the tables "
                                "have " + std::to_string(space.configs()));
  auto estimates = estimate(o, *estimator, dao.get(), world);
  if (dao)
    methods.push_back(std::make_unique<policy_method>(
        "dao-c", world, penance::predicted_accuracy_policy(space, world.cost(), [&](const penance::drive_table& t, size_t k) {
          for (size_t i = 0; i < world.size(); ++i)
            if (&world.at(i).table == &t)
              return estimates[i].accuracy.at(k);
          throw std::logic_error("DAO-C asked about a drive the bench does not play");
        })));
  double ratio = penance::paper_pixel_ratio(o.data.width, o.data.height);
  methods.push_back(std::make_unique<adapter_method>(world, estimates, penance::load_adapter(o.penance),
                                                     penance::load_performance_encoder(o.penance), ratio));
  if (!o.casva.empty() && std::filesystem::exists(o.casva))
    methods.push_back(std::make_unique<adapter_method>(world, estimates, penance::load_adapter(o.casva), nullptr, ratio));
  else
    spdlog::warn("bench penance: no CASVA-C adapter at '{}' (troupe train-penance --stage adapter --variant casva-c); "
                 "it is left out", o.casva);

  auto run_points = [&](const std::vector<std::pair<double, double>>& ab) {
    std::vector<point> out;
    for (auto [A, B] : ab) {
      point p{A, B, {}};
      for (auto& m : methods)
        p.by_method[m->name()] = measure(*m, world, A, B);
      out.push_back(std::move(p));
    }
    return out;
  };
  std::vector<std::pair<double, double>> f14, f15;
  for (double B : o.bandwidths)
    f14.push_back({0.65, B});
  for (double A : o.targets)
    f15.push_back({A, 0.6});
  auto points14 = run_points(f14), points15 = run_points(f15);
  print_points("Fig. 14 (A 0.65; paper fail %: Penance 4.1, Periodic Profiling 36.2, DAO-C 34.4, CASVA-C 60.5; "
               "MACs vs Optimal +6.8, +36.7, +10.7 %)", points14);
  print_points("Fig. 15 (B 0.6; paper Penance fail 3.6 / 3.9 / 7.3 % at A 0.5 / 0.6 / 0.7; at 0.5 DAO-C 40.8 %, "
               "CASVA-C +122.9 % MACs)", points15);
  print_verdicts(points14);
  nlohmann::json j;
  if (o.live) {
    auto base = load_bench_topology(o.topology, input_files::checked_at_spawn);  // the bench sets the models
    if (!base)
      return 1;
    std::vector<live_figures> live;
    for (auto& m : methods)
      if (m->name() == "penance" || m->name() == "casva-c")
        live.push_back(run_live(o, *base, m->name(), m->name() == "penance" ? o.penance : o.casva, *m, world));
    print_live(live);
    for (auto& f : live)
      j["live"].push_back({{"method", f.method}, {"fail_pct", f.live_fail}, {"gmacs_per_segment", f.live_gmacs},
                           {"replay_fail_pct", f.replay.fail_pct}, {"replay_gmacs_per_segment", f.replay.gmacs_per_segment},
                           {"fail_per_drive", {f.fail_pct.median, f.fail_pct.min, f.fail_pct.max}}});
  }
  j["fig14"] = to_json(points14);
  j["fig15"] = to_json(points15);
  j["tables"] = tables;
  j["models"] = {{"estimator", o.estimator}, {"penance", o.penance}, {"casva_c", o.casva}, {"dao_c", o.dao}};
  return write_and_say(o.out_dir + "/replay.json", j.dump(2) + "\n", "bench penance") ? 0 : 1;
}

}  // namespace troupe
