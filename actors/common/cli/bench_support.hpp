// What every `troupe bench` shares: changing a loaded topology's actors, running a
// variant and reading back its sink's run report, and drawing with gnuplot.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "actors/runtime/deploy/topology.hpp"

namespace troupe {

// The topology in `file` with every kind known, or nullopt having logged each of its
// problems (file:line:column). A bench that sets the topology's files itself takes
// `input_files::checked_at_spawn`: the file's own paths need not exist.
std::optional<topology> load_bench_topology(const std::string& file, input_files files = input_files::must_exist);

std::vector<actor_spec*> actors_of_kind(topology& t, const std::string& kind);
actor_spec& actor_named(topology& t, const std::string& name);  // throws naming the file

// Sets one parameter of `a`, on a copy of its YAML: the loaded topology stays as it was.
template <class T>
void set_param(actor_spec& a, const std::string& key, const T& value) {
  auto args = YAML::Clone(a.args.yaml());
  args[key] = value;
  a.args = params(args);
}

// Runs `t` for `duration_s` (0: the file's) with every actor whose kind writes a report
// (a `report` parameter: sinks, schedulers) reporting to `prefix`, and returns PREFIX.json; throws when the run fails or writes no report. Before it runs, the
// run's old reports (PREFIX.json, PREFIX-*.json such as a scheduler's) are removed. With
// `resume`, a PREFIX.json already there is the run's result (said so), and nothing runs,
// unless it covers too little of the run (see `covers_run`). A run stopped by
// SIGINT/SIGTERM throws and leaves no report, so that --resume runs it again.
nlohmann::json run_and_report(topology t, double duration_s, const std::string& prefix, bool resume = false);

// PREFIX-PART.json that a run's actor wrote beside its sink's (e.g. a scheduler's), or
// an empty object when there is none.
nlohmann::json companion_report(const std::string& prefix, const std::string& part);

// Whether `report` (its "duration_s", deployment time) is a whole run of `duration_s`
// (0: until the actors exit, any length). A sink's clock runs from its spawn to its stop,
// within a few tenths of a second of a whole run; a run cut short reports much less.
bool covers_run(const nlohmann::json& report, double duration_s);

// Repeat `repeat` of a run: every `seed` parameter (scenes, crowds, draws) moved by 1000
// per repeat, so repeats differ in their inputs while repeat 0 is the file as written;
// `base` moves them all further (recordings for training on scenes no bench measures).
void offset_seeds(topology& t, int repeat, int64_t base = 0);

// A figure over repeated runs: its median and its range.
struct spread {
  double median = 0, min = 0, max = 0;
  size_t runs = 0;
};
spread spread_of(const std::vector<double>& values);
// A figure of each of a cell's runs: `figure(run)` in run order, and their spread.
template <class Run, class Figure>
std::vector<double> figures_of(const std::vector<const Run*>& runs, Figure figure) {
  std::vector<double> out;
  for (auto* r : runs)
    out.push_back(double(figure(*r)));
  return out;
}
template <class Run, class Figure>
spread spread_over(const std::vector<const Run*>& runs, Figure figure) {
  return spread_of(figures_of(runs, figure));
}
// "98 (90–105)"; one run: "98".
std::string to_string(const spread& s, int decimals);

// A paper's claim that a baseline's figure is above the system's, checked run by run
// (run k of both shares its seeds): baseline ÷ system per run, and whether the direction
// held in every run. A system's 0 against a baseline's positive figure is an infinite ratio.
struct paired_ratio {
  spread ratio;
  bool every_run = true;
};
paired_ratio compare_paired(const std::vector<double>& system, const std::vector<double>& baseline);
// At least half the paper's magnitude: a ratio of 1 + (paper − 1) / 2 or more.
bool half_the_magnitude(double ratio, double paper);

// Throws, naming the run, when its sink's report shows nothing processed (no frame or
// result reached the sink): such a run is no point of a comparison.
void require_processed(const nlohmann::json& report, const std::string& run);

// Writes DIR/NAME.gnuplot (a PNG terminal of `size`, output DIR/NAME.png, then
// `script`) and runs gnuplot on it; says so when the PNG was written.
void plot_png(const std::string& dir, const std::string& name, const std::string& script,
              const std::string& size = "900,500");

}  // namespace troupe
