#include "actors/remo/cli/bench_remo.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include "actors/runtime/deploy/deployment.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"
#include "actors/runtime/deploy/topology.hpp"
#include "actors/common/cli/bench_support.hpp"

namespace troupe {

namespace {

// One run of one policy: its sink's overall figures and its scheduler's summary.
struct outcome {
  std::string policy;
  int cameras = 0, repeat = 0;
  nlohmann::json overall, scheduler;
};

// The paper's figures (remo.txt, VII): latency in seconds at 4 cameras and F1 per
// policy (Fig. 8; EHCI's pair from Fig. 10, Bandwidth-Prior's and ELF's latency from
// Fig. 14's 4 cameras), and latency's growth from 4 to 16 cameras (Fig. 14).
struct paper_figures {
  const char* policy;
  double latency_s, remo_latency_s, f1, remo_f1;
  double growth_s;  // 4 → 16 cameras; 0: not in Fig. 14
};
const paper_figures paper[] = {
  {"bandwidth-prior", 0.86, 0.68, 0.552, 0.579, 0.55},
  {"model-prior", 0.896, 0.66, 0.588, 0.579, 4.07},
  {"offload-frame", 0.799, 0.66, 0.559, 0.579, 0.35},
  {"elf", 0.79, 0.68, 0.561, 0.579, 0.15},
  {"ehci", 0.92, 0.681, 0.572, 0.579, 0},
};
constexpr double paper_remo_growth_s = 0.10;

// More cameras like the file's: camera k copies camera ((k-1) mod N) of the file with
// its own node (with that node's interfaces) and replica, another scene seed
// (synthetic) or start frame (video), the same links to the server and the same links
// to every other camera. A shared server interface stays one: the added cameras
// queue behind the others there, as on the paper's testbed.
void scale_cameras(topology& t, int cameras) {
  auto originals = actors_of_kind(t, "region-camera");
  int n = int(originals.size());
  std::set<std::string> camera_nodes;
  for (auto* c : originals)
    camera_nodes.insert(c->node);
  std::vector<link_spec> to_server, between;
  for (auto& l : t.links)
    (camera_nodes.count(l.from) && camera_nodes.count(l.to) ? between : to_server).push_back(l);
  std::vector<actor_spec> added;
  std::vector<std::string> new_nodes;
  for (int k = n + 1; k <= cameras; ++k) {
    auto cam = *originals[size_t((k - 1) % n)];
    auto suffix = "x" + std::to_string(k);
    auto detector_name = cam.args.get_string("detector");
    auto det = std::find_if(t.actors.begin(), t.actors.end(), [&](auto& a) { return a.name == detector_name; });
    if (det == t.actors.end() || det->node != cam.node)
      throw std::runtime_error(t.file + ": camera " + cam.name + "'s detector must run on its node to be copied");
    auto copy = *det;
    copy.name += suffix;
    copy.node += suffix;
    copy.args = params(YAML::Clone(det->args.yaml()));
    added.push_back(copy);
    auto node = cam.node;
    cam.name += suffix;
    cam.node += suffix;
    auto args = YAML::Clone(cam.args.yaml());
    args["detector"] = detector_name + suffix;
    if (args["source"].as<std::string>() == "synthetic")
      args["seed"] = args["seed"] ? args["seed"].as<int64_t>() + 100 * k : 100 * k;
    else  // another stretch of the video, not the same view again
      args["start_frame"] = (args["start_frame"] ? args["start_frame"].as<int64_t>() : 0) + 37 * k;
    cam.args = params(args);
    added.push_back(cam);
    for (auto l : to_server)
      if (l.from == node || l.to == node) {
        (l.from == node ? l.from : l.to) = cam.node;
        t.links.push_back(l);
      }
    for (auto& other : camera_nodes)
      if (!between.empty()) {
        auto l = between.front();
        l.from = other;
        l.to = cam.node;
        t.links.push_back(l);
      }
    camera_nodes.insert(cam.node);
    auto spec = *t.find_node(node);
    spec.name = cam.node;
    t.nodes.push_back(spec);
  }
  t.actors.insert(t.actors.end(), added.begin(), added.end());
  t.runtime.time_scale *= double(cameras) / n;  // this machine's cores are shared by every camera
}

// The file's deployment as `policy` runs it. Offload-Frame: the scheduler with whole
// frames, detected whenever a region's trigger fires; EHCI: padded previous boxes to
// the server, no scheduler.
topology variant(topology t, const std::string& policy, int cameras, bool fixed_trigger) {
  if (cameras > int(actors_of_kind(t, "region-camera").size()))
    scale_cameras(t, cameras);
  auto cams = actors_of_kind(t, "region-camera");
  double slot_s = cams.front()->args.get_double("slot_s", 1.0);  // the sink's slots are the cameras'
  std::vector<actor_spec> kept;
  for (auto a : t.actors) {
    auto args = YAML::Clone(a.args.yaml());
    if (a.kind == "region-scheduler") {
      if (policy == "ehci")
        continue;
      args["policy"] = policy == "offload-frame" ? "remo" : policy;
    } else if (a.kind == "sink") {
      args["slot_s"] = slot_s;
    } else if (a.kind == "region-camera") {
      if (policy == "offload-frame")
        args["mode"] = "whole-frame";
      if (policy == "ehci") {
        args["mode"] = "ehci";
        args.remove("scheduler");
      }
      if (fixed_trigger)
        args["q_per_backlog"] = 0;
    }
    a.args = params(args);
    kept.push_back(a);
  }
  t.actors = kept;
  t.deployment += "-" + policy;
  return t;
}

outcome run_one(const topology& base, const std::string& policy, int cameras, int repeat, double duration_s,
                const std::string& prefix, const bench_remo_options& o) {
  auto run_prefix = prefix + policy + "-" + std::to_string(cameras) + "cam-r" + std::to_string(repeat);
  auto t = variant(base, policy, cameras, o.fixed_trigger);
  offset_seeds(t, repeat);
  spdlog::info("== bench remo: {}, {} cameras, run {} of {}, {:.0f} s (time scale {:.1f})", policy, cameras,
               repeat + 1, o.repeats, duration_s, t.runtime.time_scale);
  auto j = run_and_report(t, duration_s, run_prefix, o.resume);
  return {policy, cameras, repeat, j["overall"], companion_report(run_prefix, "scheduler")};
}

// A figure of one run.
using figure = std::function<double(const outcome&)>;
// 0 for a report from before the sink measured it (read back with --resume).
double system_delay(const outcome& r) {
  return r.overall.contains("system_delay_ms") ? r.overall["system_delay_ms"]["mean"].get<double>() : 0;
}
double f1(const outcome& r) { return r.overall.value("f1", 0.0); }
// What planning a slot ahead added to the modelled system delay against deciding on the
// slot's own demands, as the paper does: median (min–max) of the runs that measured it.
std::string planned_ahead(const std::vector<const outcome*>& runs) {
  std::vector<double> added_ms;
  for (auto* r : runs)
    if (r->scheduler.contains("planned_ahead") && r->scheduler["planned_ahead"]["slots"].get<size_t>() > 0) {
      auto& a = r->scheduler["planned_ahead"];
      added_ms.push_back(1e3 * (a["model_delay_s_mean"].get<double>() - a["model_delay_s_current_mean"].get<double>()));
    }
  return added_ms.empty() ? "-" : to_string(spread_of(added_ms), 0);
}

std::vector<const outcome*> runs_of(const std::vector<outcome>& rows, const std::string& policy, int cameras) {
  std::vector<const outcome*> out;
  for (auto& r : rows)
    if (r.policy == policy && r.cameras == cameras)
      out.push_back(&r);
  return out;
}

std::string over(const std::vector<const outcome*>& runs, const figure& f, int decimals) {
  return to_string(spread_over(runs, f), decimals);
}

// One line per policy and camera count, medians (min–max) over its runs. The system
// delay is eq. (5)'s, per slot; latency over every frame and over the frames a
// detector's result reached stand side by side: tracked frames are output at once, so
// whoever detects less looks faster over all frames.
std::string table(const std::vector<outcome>& rows) {
  text_table t({"policy", "cams", "runs", "F1", "system delay ms", "detected mean ms", "mean ms", "p95 ms", "detected",
                "energy J", "MB", "moved/demanded", "decide ms", "ahead +ms"});
  std::set<std::pair<std::string, int>> done;
  for (auto& r : rows) {
    if (!done.insert({r.policy, r.cameras}).second)
      continue;
    auto runs = runs_of(rows, r.policy, r.cameras);
    auto all = [](const char* figure, const char* stat) {
      return [=](const outcome& o) { return o.overall[figure][stat].get<double>(); };
    };
    auto detected_share = [](const outcome& o) {
      double frames = o.overall["frames"].get<double>();
      return frames > 0 ? 100 * o.overall["detected_latency_ms"]["frames"].get<double>() / frames : 0;
    };
    auto scheduler = [](const char* field) {
      return [=](const outcome& o) { return o.scheduler.value(field, 0.0); };
    };
    t.add({r.policy, std::to_string(r.cameras), std::to_string(runs.size()), over(runs, f1, 3),
           over(runs, system_delay, 0), over(runs, all("detected_latency_ms", "mean"), 0),
           over(runs, all("latency_ms", "mean"), 0), over(runs, all("latency_ms", "p95"), 0),
           over(runs, detected_share, 0) + "%", over(runs, [](const outcome& o) { return o.overall["energy_j"].get<double>(); }, 0),
           over(runs, [](const outcome& o) { return o.overall["bytes"].get<double>() / 1e6; }, 2),
           fixed(spread_over(runs, scheduler("regions_moved")).median, 0) + "/" +
               fixed(spread_over(runs, scheduler("regions_demanded")).median, 0),
           over(runs, [](const outcome& o) { return o.scheduler.contains("decision_ms") ? o.scheduler["decision_ms"]["p50"].get<double>() : 0; }, 3),
           planned_ahead(runs)});
  }
  return t.str();
}

// The paper's figures beside ours, ReMO's run k against the baseline's run k (same
// seeds): system delay baseline ÷ ReMO, F1 ReMO − baseline.
std::string against_the_paper(const std::vector<outcome>& rows, int cameras) {
  text_table t({"ReMO vs", "delay ratio: paper", "ours", "every run", "half the magnitude", "F1 gain: paper", "ours"});
  auto ours = runs_of(rows, "remo", cameras);
  for (auto& p : paper) {
    auto theirs = runs_of(rows, p.policy, cameras);
    if (ours.empty() || theirs.size() != ours.size())
      continue;
    double paper_ratio = p.latency_s / p.remo_latency_s;
    auto delay = compare_paired(figures_of(ours, system_delay), figures_of(theirs, system_delay));
    std::vector<double> gain;
    for (size_t k = 0; k < ours.size(); ++k)
      gain.push_back(f1(*ours[k]) - f1(*theirs[k]));
    t.add({p.policy, fixed(paper_ratio, 2) + "x", to_string(delay.ratio, 2) + "x", delay.every_run ? "yes" : "no",
           half_the_magnitude(delay.ratio.median, paper_ratio) ? "yes" : "no", fixed(p.remo_f1 - p.f1, 3),
           to_string(spread_of(gain), 3)});
  }
  return t.str();
}

// Fig. 14's growth of system delay from the fewest cameras swept to the most, per
// policy, in seconds of deployment time beside the paper's (4 → 16 cameras).
std::string growth_against_the_paper(const std::vector<outcome>& sweep, int fewest, int most) {
  text_table t({"policy", "growth: paper s", "ours s", "above ReMO's: every run"});
  auto growth = [&](const std::string& policy) {
    auto from = figures_of(runs_of(sweep, policy, fewest), system_delay), to = figures_of(runs_of(sweep, policy, most), system_delay);
    std::vector<double> out;
    for (size_t k = 0; k < std::min(from.size(), to.size()); ++k)
      out.push_back((to[k] - from[k]) / 1e3);
    return out;
  };
  auto remo = growth("remo");
  if (remo.empty())
    return "";
  t.add({"remo", fixed(paper_remo_growth_s, 2), to_string(spread_of(remo), 3), "-"});
  for (auto& p : paper) {
    auto theirs = growth(p.policy);
    if (p.growth_s <= 0 || theirs.size() != remo.size())
      continue;
    bool every = true;
    for (size_t k = 0; k < remo.size(); ++k)
      every = every && theirs[k] > remo[k];
    t.add({p.policy, fixed(p.growth_s, 2), to_string(spread_of(theirs), 3), every ? "yes" : "no"});
  }
  return t.str();
}

// False, having said why, when the file could not be written.
bool write_json(const std::string& file, const std::vector<outcome>& rows) {
  nlohmann::json j = nlohmann::json::array();
  for (auto& r : rows)
    j.push_back({{"policy", r.policy}, {"cameras", r.cameras}, {"run", r.repeat}, {"overall", r.overall},
                 {"scheduler", r.scheduler}});
  return write_and_say(file, j.dump(2) + "\n");
}

// Bars of median system delay and F1 per policy, like the paper's Fig. 8.
void plot_comparison(const std::string& dir, const std::vector<outcome>& rows, const std::vector<std::string>& policies,
                     int cameras) {
  {
    std::ofstream dat(dir + "/comparison.dat");  // closed before gnuplot reads it
    for (auto& p : policies) {
      auto runs = runs_of(rows, p, cameras);
      dat << p << " " << spread_over(runs, system_delay).median << " " << spread_over(runs, f1).median << "\n";
    }
  }
  plot_png(dir, "comparison",
           "set style data histograms\nset style fill solid 0.6\nset ylabel 'system delay (ms)'\n"
           "set y2label 'F1'\nset y2range [0:1]\nset ytics nomirror\nset y2tics\nset xtics rotate by -20\n"
           "plot '" + dir + "/comparison.dat' using 2:xtic(1) title 'system delay', '' using 3 axes x1y2 title 'F1'");
}

// Median system delay against the number of cameras, one line per policy, like Fig. 14.
void plot_sweep(const std::string& dir, const std::vector<outcome>& rows, const std::vector<std::string>& policies,
                const std::vector<int>& cameras) {
  std::string plot = "set xlabel 'cameras'\nset ylabel 'system delay (ms)'\nset key outside\nplot ";
  for (size_t i = 0; i < policies.size(); ++i) {
    {
      std::ofstream dat(dir + "/sweep-" + policies[i] + ".dat");
      for (int n : cameras)
        dat << n << " " << spread_over(runs_of(rows, policies[i], n), system_delay).median << "\n";
    }
    plot += std::string(i ? ", " : "") + "'" + dir + "/sweep-" + policies[i] + ".dat' with linespoints title '" +
            policies[i] + "'";
  }
  plot_png(dir, "sweep", plot);
}

}  // namespace

int bench_remo(const bench_remo_options& o) {
  auto loaded = load_bench_topology(o.topology);
  if (!loaded)
    return 1;
  int cameras = int(actors_of_kind(*loaded, "region-camera").size());
  if (cameras == 0) {
    spdlog::error("{}: no region-camera to compare policies on", o.topology);
    return 1;
  }
  std::filesystem::create_directories(o.out_dir);
  for (int n : o.cameras)
    if (n < cameras) {
      spdlog::error("the sweep starts at the file's {} cameras, not {}", cameras, n);
      return 1;
    }
  std::vector<outcome> rows, sweep;
  auto prefix = o.out_dir + "/";
  for (int k = 0; k < o.repeats; ++k)  // run k of every policy before run k + 1: a stopped sweep leaves pairs
    for (auto& policy : o.policies)
      rows.push_back(run_one(*loaded, policy, cameras, k, o.duration_s, prefix, o));
  for (int n : o.cameras)
    for (int k = 0; k < o.repeats; ++k)
      for (auto& policy : o.policies)
        if (n == cameras && o.sweep_duration_s == o.duration_s)  // the comparison's own run: not run twice
          sweep.push_back(*std::find_if(rows.begin(), rows.end(),
                                        [&](auto& r) { return r.policy == policy && r.repeat == k; }));
        else
          sweep.push_back(run_one(*loaded, policy, n, k, o.sweep_duration_s, prefix + "sweep-", o));
  auto report = fmt::format("bench remo: {}, {:.0f} s per run{} (deployment time; medians (min–max) over {} runs)\n{}",
                            o.topology, o.duration_s, o.fixed_trigger ? ", fixed trigger threshold" : "", o.repeats,
                            table(rows));
  report += "the paper beside ours (Fig. 8, 10 and 14; system delay of eq. 5, paired runs):\n" +
            against_the_paper(rows, cameras);
  report.pop_back();  // the table's last newline: the log ends the record
  log::result(report);
  bool written = write_json(o.out_dir + "/comparison.json", rows);
  plot_comparison(o.out_dir, rows, o.policies, cameras);
  if (!sweep.empty()) {
    auto swept = fmt::format("camera sweep, {:.0f} s per run:\n{}", o.sweep_duration_s, table(sweep));
    auto [fewest, most] = std::minmax_element(o.cameras.begin(), o.cameras.end());
    swept += fmt::format("growth of system delay from {} to {} cameras, the paper's from 4 to 16 (Fig. 14):\n{}",
                         *fewest, *most, growth_against_the_paper(sweep, *fewest, *most));
    swept.pop_back();
    log::result(swept);
    written = write_json(o.out_dir + "/sweep.json", sweep) && written;
    plot_sweep(o.out_dir, sweep, o.policies, o.cameras);
  }
  return written ? 0 : 1;
}

}  // namespace troupe
