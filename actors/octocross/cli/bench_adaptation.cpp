#include "actors/octocross/cli/bench_adaptation.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include <spdlog/spdlog.h>

#include "actors/common/cli/bench_support.hpp"
#include "actors/octocross/cli/site_runs.hpp"
#include "actors/runtime/file_output.hpp"
#include "actors/runtime/log.hpp"
#include "actors/runtime/text_table.hpp"

namespace troupe {

namespace {

// Replicas spawn before the camera that feeds them; the camera stops first.
int start_order(const actor_spec& a) {
  return a.kind == "videojam-camera" ? 1 : 0;
}

// The site with only the first step's cameras at the start; at each later phase the
// cameras the step adds are spawned, those it drops stopped.
topology staged(topology t, const bench_adaptation_options& o) {
  keep_cameras(t, *std::max_element(o.steps.begin(), o.steps.end()));
  auto cams = camera_nodes(t);
  std::vector<std::vector<actor_spec>> on(cams.size());
  for (auto& a : t.actors)
    for (size_t i = 0; i < cams.size(); ++i)
      if (a.node == cams[i])
        on[i].push_back(a);
  for (auto& actors : on)
    std::sort(actors.begin(), actors.end(), [](auto& a, auto& b) { return start_order(a) < start_order(b); });
  std::set<std::string> later;
  for (size_t i = size_t(o.steps[0]); i < cams.size(); ++i)
    for (auto& a : on[i])
      later.insert(a.name);
  t.actors.erase(std::remove_if(t.actors.begin(), t.actors.end(), [&](auto& a) { return later.count(a.name) > 0; }),
                 t.actors.end());
  for (size_t p = 1; p < o.steps.size(); ++p) {
    auto from = size_t(o.steps[p - 1]), to = size_t(o.steps[p]);
    for (size_t i = std::min(from, to); i < std::max(from, to); ++i) {
      auto actors = on[i];
      if (to < from)
        std::reverse(actors.begin(), actors.end());
      for (auto& a : actors) {
        timeline_event e;
        e.at_s = double(p) * o.phase_s;
        e.what = to > from ? timeline_event::action::spawn : timeline_event::action::stop;
        e.target = a.name;
        e.actor = a;
        t.timeline.push_back(e);
      }
    }
  }
  return t;
}

std::string steps_name(const std::vector<int>& steps) {
  std::string out;
  for (int s : steps)
    out += (out.empty() ? "" : "-") + std::to_string(s);
  return out;
}

struct phase_figures {
  double objects_per_s = 0;  // mean over the phase's second half (settled)
};

std::vector<phase_figures> phases(const nlohmann::json& report, const bench_adaptation_options& o) {
  std::vector<phase_figures> out(o.steps.size());
  std::vector<double> seconds(o.steps.size(), 0);
  for (auto& p : report.value("timeline", nlohmann::json::array())) {
    auto t = p["t_s"].get<double>();
    auto k = size_t(t / o.phase_s);
    if (k < out.size() && t - double(k) * o.phase_s >= o.phase_s / 2) {
      out[k].objects_per_s += p.value("objects", 0.0);
      seconds[k] += 1;
    }
  }
  for (size_t k = 0; k < out.size(); ++k)
    out[k].objects_per_s /= std::max(1.0, seconds[k]);
  return out;
}

uint64_t sum_over_replicas(const nlohmann::json& report, const char* field) {
  uint64_t sum = 0;
  auto replicas = report.value("replicas", nlohmann::json::object());
  for (auto& [name, r] : replicas.items())
    sum += r.value(field, uint64_t(0));
  return sum;
}

void plot(const std::string& dir, const std::string& name, const std::vector<std::pair<std::string, nlohmann::json>>& runs,
          const bench_adaptation_options& o) {
  std::string script = "set termoption noenhanced\nset xlabel 'time (s)'\nset ylabel 'objects/s delivered'\nset key outside\n";
  for (size_t p = 1; p < o.steps.size(); ++p)
    script += "set arrow from " + std::to_string(double(p) * o.phase_s) + ", graph 0 to " +
              std::to_string(double(p) * o.phase_s) + ", graph 1 nohead dt 2\n";
  script += "plot ";
  for (size_t k = 0; k < runs.size(); ++k) {
    auto dat = dir + "/" + name + "-" + runs[k].first + ".dat";
    {
      std::ofstream out(dat);
      for (auto& p : runs[k].second.value("timeline", nlohmann::json::array()))
        out << p["t_s"].get<int>() << " " << p.value("objects", 0.0) << "\n";
    }
    script += std::string(k ? ", " : "") + "'" + dat + "' with lines title '" + runs[k].first + "'";
  }
  plot_png(dir, name, script, "1100,500");
}


// One run of one policy: its report, its scheduler's, and its phases' figures.
struct adaptation_run {
  nlohmann::json report, scheduler;
  std::vector<phase_figures> phases;
};

adaptation_run run_policy(const topology& base, const std::string& p, int repeat, const std::string& name,
                          const bench_adaptation_options& o) {
  auto site = std::filesystem::path(o.topology).stem().string();
  auto policy = site_policies.parse(p);
  auto t = with_policy(staged(base, o), policy, {o.models, false});
  for (auto* s : actors_of_kind(t, "octocross-scheduler")) {
    set_param(*s, "grace_s", o.grace_s);
    set_param(*s, "collect_s", 0);  // Fig. 8 finetunes for the joiners at once (the scheduler waits 2τ)
    if (learned(policy))
      set_param(*s, "model", o.models + "/" + p + "-" + site + "-" + std::to_string(o.steps[0]) + ".pt");
  }
  offset_seeds(t, repeat);
  t.deployment = name + "-" + p;
  auto prefix = o.out_dir + "/" + t.deployment + "-r" + std::to_string(repeat);
  spdlog::info("== bench octocross-adaptation: {}, run {} of {}, {} s", t.deployment, repeat + 1, o.repeats,
               o.phase_s * double(o.steps.size()));
  auto j = run_and_report(t, o.phase_s * double(o.steps.size()), prefix, o.resume);
  return {j, companion_report(prefix, "scheduler"), phases(j, o)};
}

// One row of the table: per phase and last / first, median (min–max) over the runs;
// what was sent to or kept for lost nodes and the scheduler's events, summed; every
// finetune's duration, median (min–max).
std::vector<std::string> row(const std::string& policy, const std::vector<adaptation_run>& runs, size_t phases_n) {
  std::string per_phase;
  for (size_t k = 0; k < phases_n; ++k) {
    std::vector<double> v;
    for (auto& r : runs)
      v.push_back(r.phases[k].objects_per_s);
    per_phase += (per_phase.empty() ? "" : " / ") + to_string(spread_of(v), 0);
  }
  std::vector<double> ratio, finetune_s;
  uint64_t sent = 0, kept = 0;
  std::map<std::string, int> events;
  for (auto& r : runs) {
    auto first = r.phases.front().objects_per_s;
    if (first > 0)
      ratio.push_back(r.phases.back().objects_per_s / first);
    sent += r.report["overall"].value("sent_to_lost", uint64_t(0));
    kept += sum_over_replicas(r.report, "kept_for_down");
    auto counts = r.scheduler.value("events", nlohmann::json::object());  // .items() of a temporary would dangle
    for (auto& [e, n] : counts.items())
      events[e] += n.get<int>();
    for (auto& f : r.scheduler.value("finetune_s", nlohmann::json::array()))
      finetune_s.push_back(f.get<double>());
  }
  std::string event_text;
  for (auto& [e, n] : events)
    event_text += (event_text.empty() ? "" : ", ") + e + " " + std::to_string(n);
  auto finetunes = finetune_s.empty() ? std::string("-")
                                      : std::to_string(finetune_s.size()) + ", " + to_string(spread_of(finetune_s), 1);
  return {policy, per_phase, ratio.empty() ? "-" : to_string(spread_of(ratio), 2), std::to_string(sent),
          std::to_string(kept), event_text.empty() ? "-" : event_text, finetunes};
}

}  // namespace

int bench_octocross_adaptation(const bench_adaptation_options& o) {
  if (o.steps.size() < 2 || *std::min_element(o.steps.begin(), o.steps.end()) < 1 || o.phase_s <= 0 || o.repeats < 1)
    throw std::runtime_error("bench octocross-adaptation: needs two or more steps of 1 camera or more, phase_s > 0, "
                             "repeats >= 1");
  auto base = load_bench_topology(o.topology);
  if (!base)
    return 1;
  std::filesystem::create_directories(o.out_dir);
  auto name = base->deployment + "-adapt-" + steps_name(o.steps);
  text_table table({"policy", "objects/s per phase (" + steps_name(o.steps) + " cameras)", "last / first",
                    "sent to lost", "kept for down", "adaptation events", "finetunes: n, s"});
  std::vector<std::pair<std::string, nlohmann::json>> plotted;
  nlohmann::json all = nlohmann::json::array();
  for (auto& p : o.policies) {
    std::vector<adaptation_run> runs;
    for (int r = 0; r < o.repeats; ++r) {
      runs.push_back(run_policy(*base, p, r, name, o));
      plotted.emplace_back(p + "-r" + std::to_string(r), runs.back().report);
      all.push_back({{"policy", p}, {"repeat", r}, {"overall", runs.back().report["overall"]},
                     {"scheduler", runs.back().scheduler}, {"timeline", runs.back().report["timeline"]}});
    }
    table.add(row(p, runs, o.steps.size()));
  }
  plot(o.out_dir, name, plotted, o);
  log::result("bench octocross-adaptation (" + std::to_string(o.repeats) + " runs per policy, median (min-max); "
              "objects/s: mean over each phase's second half; the issue's bar: last phase within 10% of the first, "
              "nothing sent to a node after it left):\n" + table.str());
  return write_and_say(o.out_dir + "/adaptation.json", all.dump(2) + "\n") ? 0 : 1;
}

}  // namespace troupe
